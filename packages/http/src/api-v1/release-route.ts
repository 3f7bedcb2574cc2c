import type { FastifyInstance } from 'fastify';
import type { Catcher } from '../catcher/catcher.js';
import { ERROR_RESPONSES, ID_PARAM, OK_TEXT } from './schemas.js';

/** Recipients one release may name. */
export const MAX_RELEASE_RECIPIENTS = 50;

/**
 * Sends a caught message on to a real SMTP server. The app gives the sender (@minimail/smtp's
 * relay client, to the configured host, port, TLS and login); http never imports smtp.
 */
export type ReleaseSender = (
  message: Buffer,
  recipients: string[],
  /** The envelope sender: the message's From address. */
  from: string,
) => Promise<{ accepted: string[]; rejected: Array<{ address: string; reply: string }> }>;

/** POST /api/v1/message/{ID}/release `{ "To": [...] }` (Mailpit's shape). */
export function registerRelease(
  app: FastifyInstance,
  catcher: Catcher,
  release: ReleaseSender | undefined,
): void {
  app.post<{ Params: { ID: string }; Body: { To: string[] } }>(
    '/api/v1/message/:ID/release',
    {
      schema: {
        summary: 'Release (send) a caught message to real recipients through the configured SMTP server',
        tags: ['message'],
        params: ID_PARAM,
        body: {
          type: 'object',
          properties: {
            To: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_RELEASE_RECIPIENTS,
              items: { type: 'string', format: 'email', maxLength: 254 },
            },
          },
          required: ['To'],
        },
        response: { 200: OK_TEXT, 502: { $ref: 'Error#' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      if (release === undefined) {
        return reply.code(400).send({ error: 'release is not configured (MINIMAIL_RELEASE_SMTP)' });
      }
      const group = await catcher.group(request.params.ID);
      if (group === null) return reply.code(404).send({ error: 'message not found' });
      try {
        const facts = await catcher.facts(group);
        const outcome = await release(
          await catcher.readBody(group),
          request.body.To,
          facts.from?.address ?? '',
        );
        if (outcome.accepted.length === 0) {
          return reply
            .code(502)
            .send({ error: `refused: ${outcome.rejected.map((r) => `${r.address} ${r.reply}`).join('; ')}` });
        }
        return reply.type('text/plain; charset=utf-8').send('ok');
      } catch (error) {
        return reply
          .code(502)
          .send({ error: `release failed: ${error instanceof Error ? error.message : String(error)}` });
      }
    },
  );
}
