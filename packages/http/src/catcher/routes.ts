import { WAIT_DEFAULT_SECONDS, WAIT_MAX_SECONDS } from '../limits.js';
import { sendBytes, sendEmpty, sendError, sendJson } from '../responses.js';
import type { RequestContext, Route } from '../router.js';
import type { CaughtMail } from './caught-mail.js';

/**
 * The dev mail-catcher API (in the spirit of Mailpit's and MailHog's), dev profile only:
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
export function catcherRoutes(mail: CaughtMail): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/messages',
      handler: async ({ url, res }) => {
        const to = url.searchParams.get('to');
        sendJson(res, 200, { messages: await mail.list(to === null ? undefined : to.trim().toLowerCase()) });
      },
    },
    {
      method: 'DELETE',
      path: '/api/messages',
      handler: async ({ res }) => sendJson(res, 200, { deleted: await mail.deleteAll() }),
    },
    // Listed before `:id` so that "wait" is never taken for an id.
    { method: 'GET', path: '/api/messages/wait', handler: (ctx) => waitForMail(mail, ctx) },
    {
      method: 'GET',
      path: '/api/messages/:id',
      handler: async ({ params, res }) => {
        const message = await mail.get(params['id'] ?? '');
        if (message === null) sendError(res, 404, 'no such message');
        else sendJson(res, 200, message);
      },
    },
    {
      method: 'GET',
      path: '/api/messages/:id/raw',
      handler: async ({ params, res }) => {
        const raw = await mail.raw(params['id'] ?? '');
        if (raw === null) sendError(res, 404, 'no such message');
        // RFC 2046 5.2.1: the stored message is exactly a message/rfc822 entity.
        else sendBytes(res, 200, 'message/rfc822', raw);
      },
    },
    {
      method: 'DELETE',
      path: '/api/messages/:id',
      handler: async ({ params, res }) => {
        if (await mail.delete(params['id'] ?? '')) sendEmpty(res, 204);
        else sendError(res, 404, 'no such message');
      },
    },
  ];
}

async function waitForMail(mail: CaughtMail, { url, res, signal }: RequestContext): Promise<void> {
  const to = url.searchParams.get('to')?.trim().toLowerCase();
  if (!to) return sendError(res, 400, 'to=ADDRESS is required');
  const timeout = wholeNumber(url.searchParams.get('timeout'), WAIT_DEFAULT_SECONDS);
  const after = wholeNumber(url.searchParams.get('after'), 0);
  if (timeout === null || timeout > WAIT_MAX_SECONDS) {
    return sendError(res, 400, `timeout must be a whole number of seconds up to ${WAIT_MAX_SECONDS}`);
  }
  if (after === null) return sendError(res, 400, 'after must be a UID (a whole number)');
  const timer = new AbortController();
  const timeoutHandle = setTimeout(() => timer.abort(), timeout * 1000);
  // An invalid address: StoreError INVALID, which the server answers with 400 and its message.
  try {
    const messages = await mail.waitFor(to, after, AbortSignal.any([signal, timer.signal]));
    if (messages.length > 0) sendJson(res, 200, { messages });
    else sendEmpty(res, 204);
  } finally {
    clearTimeout(timeoutHandle);
  }
}

function wholeNumber(text: string | null, fallback: number): number | null {
  if (text === null || text === '') return fallback;
  return /^\d{1,9}$/.test(text) ? Number(text) : null;
}
