import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WAIT_DEFAULT_SECONDS, WAIT_MAX_SECONDS } from '../limits.js';
import type { CaughtMail } from './caught-mail.js';

/**
 * The first catcher API, kept working for existing users (dev profile only); /api/v1 is the one
 * to use now:
 *
 *   GET    /api/messages[?to=ADDRESS]       list, newest first
 *   GET    /api/messages/wait?to=ADDRESS[&timeout=SECONDS][&after=UID]
 *                                          long-poll: 200 with the messages above UID `after`
 *                                          (default 0) once there are any, 204 on timeout
 *   GET    /api/messages/:id                headers, decoded text and html parts, attachments
 *   GET    /api/messages/:id/raw            the stored bytes (message/rfc822)
 *   DELETE /api/messages/:id                204, or 404
 *   DELETE /api/messages                    200 { deleted: n }
 */
export function registerLegacyCatcher(app: FastifyInstance, mail: CaughtMail, closing: AbortSignal): void {
  const hide = { schema: { hide: true } };
  app.get<{ Querystring: { to?: string } }>('/api/messages', hide, async (request) => {
    const to = request.query.to;
    return { messages: await mail.list(to === undefined ? undefined : to.trim().toLowerCase()) };
  });
  app.delete('/api/messages', hide, async () => ({ deleted: await mail.deleteAll() }));
  app.get('/api/messages/wait', hide, (request, reply) => waitForMail(mail, request, reply, closing));
  app.get<{ Params: { id: string } }>('/api/messages/:id', hide, async (request, reply) => {
    const message = await mail.get(request.params.id);
    return message === null ? reply.code(404).send({ error: 'no such message' }) : message;
  });
  app.get<{ Params: { id: string } }>('/api/messages/:id/raw', hide, async (request, reply) => {
    const raw = await mail.raw(request.params.id);
    if (raw === null) return reply.code(404).send({ error: 'no such message' });
    // RFC 2046 5.2.1: the stored message is exactly a message/rfc822 entity.
    return reply.type('message/rfc822').send(raw);
  });
  app.delete<{ Params: { id: string } }>('/api/messages/:id', hide, async (request, reply) => {
    if (await mail.delete(request.params.id)) return reply.code(204).send();
    return reply.code(404).send({ error: 'no such message' });
  });
}

async function waitForMail(
  mail: CaughtMail,
  request: FastifyRequest,
  reply: FastifyReply,
  closing: AbortSignal,
): Promise<unknown> {
  const query = request.query as Record<string, string | undefined>;
  const to = query['to']?.trim().toLowerCase();
  if (!to) return reply.code(400).send({ error: 'to=ADDRESS is required' });
  const timeout = wholeNumber(query['timeout'], WAIT_DEFAULT_SECONDS);
  const after = wholeNumber(query['after'], 0);
  if (timeout === null || timeout > WAIT_MAX_SECONDS) {
    return reply
      .code(400)
      .send({ error: `timeout must be a whole number of seconds up to ${WAIT_MAX_SECONDS}` });
  }
  if (after === null) return reply.code(400).send({ error: 'after must be a UID (a whole number)' });
  const gone = new AbortController();
  reply.raw.once('close', () => gone.abort());
  const timer = new AbortController();
  const timeoutHandle = setTimeout(() => timer.abort(), timeout * 1000);
  // An invalid address: StoreError INVALID, which the error handler answers with 400 and its message.
  try {
    const messages = await mail.waitFor(to, after, AbortSignal.any([gone.signal, closing, timer.signal]));
    if (messages.length > 0) return { messages };
    return reply.code(204).send();
  } finally {
    clearTimeout(timeoutHandle);
  }
}

function wholeNumber(text: string | undefined, fallback: number): number | null {
  if (text === undefined || text === '') return fallback;
  return /^\d{1,9}$/.test(text) ? Number(text) : null;
}
