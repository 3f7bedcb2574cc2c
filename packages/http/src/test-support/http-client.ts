import http from 'node:http';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json<T = unknown>(): T;
}

/** One request on its own connection (no keep-alive pool left open after a test). */
export function request(
  port: number,
  method: string,
  path: string,
  headers: http.OutgoingHttpHeaders = {},
  /** Connect to `host` from `localAddress` (a non-loopback source address), default 127.0.0.1. */
  from: { host?: string; localAddress?: string } = {},
  body?: string | Buffer,
): Promise<HttpAnswer> {
  // Node sends a DELETE body neither chunked nor sized unless told its length.
  if (body !== undefined) headers = { ...headers, 'content-length': Buffer.byteLength(body) };
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: from.host ?? '127.0.0.1',
        localAddress: from.localAddress,
        port,
        method,
        path,
        agent: false,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: body.toString('utf8'),
            json: <T>() => JSON.parse(body.toString('utf8')) as T,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
