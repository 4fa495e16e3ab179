import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MalformedTextError, UnsupportedMediaTypeError } from '../errors.js';
import { isUtf8, malformedStrings } from '../events/well-formed-text.js';
import { malformedUrlParts } from './well-formed-url.js';

/**
 * Request bodies are JSON in UTF-8, nothing else: a `text/plain` (or any other) body answers 415,
 * not a validation error about its shape. Body and URL must be Unicode text
 * (src/events/well-formed-text.ts, ./well-formed-url.ts): invalid UTF-8 bytes or a string with an
 * unpaired surrogate answer 400 `INVALID_UNICODE` naming where, before authentication looks at
 * anything else and before anything is queued or stored.
 */
export function registerRequestText(app: FastifyInstance): void {
  // Fastify's defaults also take text/plain, which then fails the body's schema as a 400.
  app.removeAllContentTypeParsers();
  // Fastify's own JSON parser, fed the text once it is known UTF-8. Prototype-poisoning keys
  // (`__proto__`, `constructor.prototype`) are dropped: the JSON is valid, so refusing it would
  // refuse a request its schema allows, and no route reads such a key.
  const parseJson = app.getDefaultJsonParser('remove', 'remove') as (
    request: FastifyRequest,
    body: string,
    done: (error: Error | null, parsed?: unknown) => void,
  ) => void;
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '');
    if (charset && !/^utf-?8$/i.test(charset[1]!)) {
      done(new UnsupportedMediaTypeError(), undefined);
      return;
    }
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(
        new MalformedTextError('the body is not valid UTF-8', [
          { path: '$.body', message: 'not valid UTF-8' },
        ]),
        undefined,
      );
      return;
    }
    parseJson(request, bytes.toString('utf8'), (error, parsed) => {
      if (error) return done(error, undefined);
      const bad = malformedStrings(parsed, '$.body');
      if (bad.length > 0) {
        done(
          new MalformedTextError(
            'the body holds a string that is not Unicode text (an unpaired surrogate)',
            bad.map((path) => ({ path, message: 'unpaired surrogate: not Unicode text' })),
          ),
          undefined,
        );
        return;
      }
      done(null, parsed);
    });
  });
  // Any other media type: 415 from the same handler (Fastify's own error for it is mapped too).
  app.addContentTypeParser('*', (_request, _payload, done) => {
    done(new UnsupportedMediaTypeError(), undefined);
  });

  app.addHook('onRequest', async (request) => {
    const bad = malformedUrlParts(request.raw.url ?? request.url);
    if (bad.length > 0)
      throw new MalformedTextError(
        'the URL holds percent-escapes that are not UTF-8 text',
        bad.map((path) => ({ path, message: 'not valid UTF-8' })),
      );
  });
}
