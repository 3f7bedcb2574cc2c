import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * The web app's page may load only what it ships (no CDN): scripts and styles from our origin,
 * caught HTML framed from our origin (/view/..., itself locked down by VIEW_CSP), images from us
 * and data:/blob: (thumbnails), and the event stream.
 */
export const WEB_APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "frame-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>minimail</title>
<p>The web app is not built. Run <code>npm run build</code> (or <code>npm start</code>, which builds first).</p>
<p>The API works without it: <a href="/api/v1/docs">/api/v1/docs</a>.</p>`;

/** Serves apps/web's Vite build (index.html and hashed assets) at `/`. */
export async function registerWebApp(app: FastifyInstance, root: string | undefined): Promise<void> {
  if (root === undefined || !existsSync(join(root, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, (_request, reply) =>
      reply.header('content-security-policy', WEB_APP_CSP).type('text/html; charset=utf-8').send(NOT_BUILT),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: ['index.html'],
    wildcard: false,
    setHeaders: (res, path) => {
      res.header('content-security-policy', WEB_APP_CSP);
      // Vite names assets by content hash: they may be cached for good; index.html never.
      res.header(
        'cache-control',
        path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-store',
      );
    },
  });
}
