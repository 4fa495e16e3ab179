import { isUtf8, pathSegment } from '../events/well-formed-text.js';

/**
 * Is the request's URL text? Its path and query parameters are percent-decoded to bytes and checked
 * as UTF-8, as bodies are (src/events/well-formed-text.ts): a lookup by a value that is not text
 * would find the wrong identifier or none. They name where the problem is, never what it was.
 */

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
      found.push(`$.querystring${pathSegment(decoded)}`);
    }
  }
  return [...new Set(found)];
}
