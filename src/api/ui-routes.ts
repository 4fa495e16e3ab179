import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from './problem.js';
import { sendProblem } from './error-handler.js';

/**
 * The audit console (docs/ui.md): its static files at /ui, built into dist/ui by `npm run build`
 * (scripts/build-ui.mjs), and GET /v1/me, which tells the console what the key in hand may do.
 *
 * The files are open (they hold no data: every data call the console makes needs the key, which
 * the user types in and the browser keeps in sessionStorage). The console calls only the public
 * API, so it can do nothing its key could not do with curl.
 */

/** dist/ui next to the running code: src/api/ (tsx) and dist/api/ (built) both land on <repo>/dist/ui. */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

/**
 * Same-origin only: no CDN, no inline script or style element, no framing. Cytoscape and Preact set
 * styles through the CSSOM, which style-src does not restrict.
 */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const meSchema = z.object({
  name: z.string().describe("The API key's name"),
  scopes: z.array(z.string()).describe('What the key may do'),
});

export const uiRoutes: FastifyPluginAsyncZod<{ uiDir?: string }> = async (app, options) => {
  app.get(
    '/v1/me',
    {
      config: { scope: 'any' },
      schema: {
        tags: ['health'],
        summary: 'The API key in use: its name and scopes (any valid key)',
        description:
          'The audit console asks it to offer only what the key may do; any client may, to check a key.',
        response: { 200: meSchema, ...errorResponses },
      },
    },
    async (request) => ({
      name: request.apiKey?.name ?? 'unknown',
      scopes: [...(request.apiKey?.scopes ?? [])],
    }),
  );

  const root = options.uiDir ?? DEFAULT_UI_DIR;
  await app.register(async (ui) => {
    ui.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', UI_CONTENT_SECURITY_POLICY);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      return payload;
    });
    ui.get('/ui', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/ui/'));
    if (existsSync(`${root}/index.html`)) {
      await ui.register(fastifyStatic, {
        root,
        prefix: '/ui/',
        index: 'index.html',
        wildcard: true,
        decorateReply: false,
        cacheControl: true,
        maxAge: 0,
        schemaHide: true,
      });
    } else {
      // A source checkout before `npm run build`: say so instead of a bare 404.
      ui.get('/ui/*', { schema: { hide: true } }, async (request, reply) =>
        sendProblem(
          reply,
          request,
          503,
          'UI_NOT_BUILT',
          'the console is not built: run npm run build (or npm run build:ui)',
        ),
      );
    }
  });
};
