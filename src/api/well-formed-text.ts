/**
 * Is the request's text Unicode? Identifier values are compared and stored as strings, so two
 * values that differ only in bytes that are not text would either collapse into one (invalid UTF-8
 * decoded to U+FFFD; a lone surrogate stored by a driver that replaces it) and link two people, or
 * be stored as something other than what was sent. Such input is not a dirty value to accept and
 * report: it is not a value at all, and the request is refused whole before anything is queued.
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

const segment = (key: string) =>
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
        walk(item, `${path}${segment(key) || `[${JSON.stringify(key)}]`}`);
      }
    }
  };
  walk(value, root);
  return found;
}

const hex = (code: number) =>
  (code >= 0x30 && code <= 0x39) ||
  (code >= 0x41 && code <= 0x46) ||
  (code >= 0x61 && code <= 0x66);

/**
 * Percent-decodes a URL component to bytes and says whether they are UTF-8. (Node refuses raw
 * bytes above 0x7F in a request line itself; any other character counts as its own UTF-8.)
 */
export function isUtf8Component(component: string): boolean {
  if (!/[%\u0080-\uFFFF]/.test(component)) return true;
  const bytes: number[] = [];
  for (let i = 0; i < component.length; i++) {
    const code = component.charCodeAt(i);
    if (
      code === 0x25 &&
      i + 2 < component.length &&
      hex(component.charCodeAt(i + 1)) &&
      hex(component.charCodeAt(i + 2))
    ) {
      bytes.push(parseInt(component.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (code < 0x80) {
      bytes.push(code);
    } else {
      bytes.push(...Buffer.from(String.fromCharCode(code), 'utf8'));
    }
  }
  return isUtf8(Uint8Array.from(bytes));
}

/**
 * Where a raw request URL is not UTF-8 once percent-decoded: `$.path`, or `$.querystring.<name>`
 * per offending parameter (`$.querystring` when the name itself is not text). Empty when it is.
 */
export function malformedUrlParts(rawUrl: string): string[] {
  const question = rawUrl.indexOf('?');
  const path = question === -1 ? rawUrl : rawUrl.slice(0, question);
  const found: string[] = [];
  if (!isUtf8Component(path)) found.push('$.path');
  if (question === -1) return found;
  for (const pair of rawUrl.slice(question + 1).split('&')) {
    const equals = pair.indexOf('=');
    const name = equals === -1 ? pair : pair.slice(0, equals);
    const value = equals === -1 ? '' : pair.slice(equals + 1);
    if (!isUtf8Component(name)) {
      found.push('$.querystring');
    } else if (!isUtf8Component(value)) {
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replaceAll('+', ' '));
      } catch {
        // a name with a stray `%` stays as sent
      }
      found.push(`$.querystring${segment(decoded) || ''}`);
    }
  }
  return [...new Set(found)];
}
