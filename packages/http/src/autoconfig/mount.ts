/** The autoconfiguration endpoints on node:http: reads the bounded body, writes the answer. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpServiceOptions } from '../options.js';
import { answerAutoconfig, MAX_AUTODISCOVER_BODY } from './answer.js';
import type { ClientSettings } from './client-settings.js';

async function readBounded(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_AUTODISCOVER_BODY) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function answerAutoconfigRequest(
  options: HttpServiceOptions,
  settings: ClientSettings,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const answer = await answerAutoconfig(
    settings,
    {
      method: req.method ?? 'GET',
      pathname: url.pathname,
      query: url.searchParams,
      host: req.headers.host,
      readBody: () => readBounded(req),
    },
    // dev accepts mail for any domain, so it configures clients for any; production for its own.
    async (domain) => options.profile === 'dev' || (await options.store.isLocalDomain(domain)),
  );
  if (!answer) return void res.writeHead(404).end();
  res.writeHead(answer.status, { 'content-type': answer.contentType, ...(answer.headers ?? {}) });
  res.end(req.method === 'HEAD' ? undefined : answer.body);
}
