import type { FastifyInstance } from 'fastify';
import { MAX_EVENT_STREAMS, type MailEvents } from './events.js';

/** A comment line this often keeps proxies from closing a quiet stream. */
export const EVENT_KEEPALIVE_MS = 25_000;

/**
 * GET /api/v1/events: server-sent events (HTML Living Standard 9.2), one `changed` event whenever
 * caught mail changes (new, deleted, read, tagged), so the web app refreshes without polling.
 */
export function registerEventStream(app: FastifyInstance, events: MailEvents, closing: AbortSignal): void {
  app.get(
    '/api/v1/events',
    {
      schema: {
        summary: 'minimail: server-sent events, `changed` when caught mail changes',
        tags: ['minimail'],
        produces: ['text/event-stream'],
      },
    },
    (_request, reply) => {
      if (events.size >= MAX_EVENT_STREAMS) return reply.code(503).send({ error: 'too many event streams' });
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        connection: 'keep-alive',
      });
      res.write('retry: 2000\n\n');
      const unsubscribe = events.subscribe((event) => {
        res.write(`event: changed\ndata: ${JSON.stringify(event)}\n\n`);
      });
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), EVENT_KEEPALIVE_MS);
      const end = (): void => {
        clearInterval(keepalive);
        unsubscribe();
        closing.removeEventListener('abort', end);
        res.end();
      };
      res.once('close', end);
      closing.addEventListener('abort', end, { once: true });
    },
  );
}
