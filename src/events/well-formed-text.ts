/**
 * Is the text Unicode? Identifier values are compared and stored as strings, so two
 * values that differ only in bytes that are not text would either collapse into one (invalid UTF-8
 * decoded to U+FFFD; a lone surrogate stored by a driver that replaces it) and link two people, or
 * be stored as something other than what was sent. Such input is not a dirty value to accept and
 * report: it is not a value at all, and it is refused (the API refuses the request whole, `idgraph ingest` the record) before
 * anything is queued.
 * Pure functions: they name where the problem is, never what the text was.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** True when the bytes are well-formed UTF-8 (a BOM is allowed, as JSON parsers allow it). */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

// With the `u` flag a surrogate pair is one code point, so the class matches unpaired halves only.
const loneSurrogate = /[\uD800-\uDFFF]/u;

/** True when the string holds no unpaired surrogate (`String.prototype.isWellFormed`). */
export function isWellFormed(text: string): boolean {
  return !loneSurrogate.test(text);
}

/** `.key` for a key a JSON path can name plainly, or '' when it needs brackets. */
export const pathSegment = (key: string) =>
  /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) && isWellFormed(key) ? `.${key}` : '';

/**
 * The JSON path (from `root`) of every string or object key in a parsed JSON value that is not
 * well-formed, in document order; an offending key is named by its parent's path. At most `limit`.
 */
export function malformedStrings(value: unknown, root: string, limit = 20): string[] {
  const found: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (found.length >= limit) return;
    if (typeof node === 'string') {
      if (!isWellFormed(node)) found.push(path);
    } else if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, `${path}[${index}]`));
    } else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) {
        if (!isWellFormed(key)) {
          if (found.length < limit) found.push(path);
          continue;
        }
        walk(item, `${path}${pathSegment(key) || `[${JSON.stringify(key)}]`}`);
      }
    }
  };
  walk(value, root);
  return found;
}
