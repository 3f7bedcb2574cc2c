import type { ServerResponse } from 'node:http';

/** Headers every answer carries: nothing is cached, nothing is sniffed, nothing is framed. */
const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  send(res, status, contentType, text);
}

export function sendBytes(res: ServerResponse, status: number, contentType: string, bytes: Buffer): void {
  send(res, status, contentType, bytes);
}

/** A JSON error body `{ "error": message }`; internal details stay in the log. */
export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}

export function sendEmpty(res: ServerResponse, status: number): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, COMMON_HEADERS);
  res.end();
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  // A long-poll whose client went away has nobody to answer.
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
