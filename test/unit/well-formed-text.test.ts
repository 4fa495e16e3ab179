import { describe, expect, it } from 'vitest';
import { malformedUrlParts } from '../../src/api/well-formed-url.js';
import { isUtf8, isWellFormed, malformedStrings } from '../../src/events/well-formed-text.js';

describe('well-formed text', () => {
  it('tells lone surrogates from pairs', () => {
    expect(isWellFormed('sur-\ud800')).toBe(false);
    expect(isWellFormed('sur-\udfff')).toBe(false);
    expect(isWellFormed('\udfff\ud800')).toBe(false);
    expect(isWellFormed('sur-\ud83d\ude00')).toBe(true);
    expect(isWellFormed('plain ascii, é, 漢字')).toBe(true);
  });

  it('tells UTF-8 from other bytes', () => {
    expect(isUtf8(Buffer.from('é漢😀'))).toBe(true);
    expect(isUtf8(Uint8Array.from([0x61, 0xff]))).toBe(false);
    expect(isUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(false); // U+D800 as CESU-8
    expect(isUtf8(Uint8Array.from([0xc3]))).toBe(false); // truncated sequence
  });

  it('names the JSON path of each malformed string or key, never its content', () => {
    const body = {
      events: [
        {
          identifiers: [
            { type: 'email', value: 'ok' },
            { type: 'x', value: 'a\ud800' },
          ],
        },
      ],
      attributes: { 'k\udc00': 'v', 'odd key': 'b\udfff' },
    };
    expect(malformedStrings(body, '$.body')).toEqual([
      '$.body.events[0].identifiers[1].value',
      '$.body.attributes',
      '$.body.attributes["odd key"]',
    ]);
    expect(malformedStrings({ a: ['fine', '\ud83d\ude00'] }, '$.body')).toEqual([]);
  });

  it('checks the percent-escapes of a URL per part', () => {
    expect(malformedUrlParts('/v1/resolve?type=email&value=a%40b.io')).toEqual([]);
    expect(malformedUrlParts('/v1/resolve?type=x&value=%F0%9F%98%80')).toEqual([]);
    expect(malformedUrlParts('/v1/resolve?type=x&value=sur-%ED%A0%80')).toEqual([
      '$.querystring.value',
    ]);
    expect(malformedUrlParts('/v1/identifiers/x/%FF?value=%FF&%FF=1')).toEqual([
      '$.path',
      '$.querystring.value',
      '$.querystring',
    ]);
    // A stray `%` is not an escape: it is left to the router and the query parser.
    expect(malformedUrlParts('/v1/resolve?value=100%')).toEqual([]);
  });
});
