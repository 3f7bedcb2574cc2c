import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '@minimail/protocol';
import type { MailStore } from '@minimail/store';
import type { Registry } from 'prom-client';
import { HEALTH_CHECK_TIMEOUT_MS } from './limits.js';

export interface MetricsAccess {
  /** Who may read /metrics: everyone (dev), or loopback clients and bearers of `token` (production). */
  open: boolean;
  /** A bearer token that also admits non-loopback scrapers; unset: loopback only. */
  token?: string | undefined;
}

/**
 * The operator's routes, in every profile:
 *   GET /healthz  200 "ok" when the store answers a trivial read in time, 503 otherwise; open to
 *                 all (load balancers and orchestrators probe it from anywhere)
 *   GET /metrics  Prometheus text; in production only to loopback clients or with
 *                 `Authorization: Bearer <token>` (it tells queue depths, connection counts and
 *                 failed logins: worth keeping from the world)
 */
export function registerOperations(
  app: FastifyInstance,
  store: MailStore,
  registry: Registry,
  logger: Logger,
  access: MetricsAccess,
): void {
  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    const problem = await storeProblem(store);
    if (problem === null) return reply.type('text/plain; charset=utf-8').send('ok\n');
    logger.warn({ err: problem }, 'health check failed');
    return reply.code(503).type('text/plain; charset=utf-8').send('store unavailable\n');
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!metricsAllowed(request, access)) {
      // RFC 6750 3: a missing or wrong token is 401 with the scheme named.
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .send({ error: 'metrics are served to loopback clients or with the bearer token' });
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(plain) === 4) return plain.startsWith('127.');
  return plain === '::1';
}

function metricsAllowed(request: FastifyRequest, access: MetricsAccess): boolean {
  if (access.open) return true;
  // The socket's peer, never X-Forwarded-For: a header is whatever the client says.
  if (isLoopback(request.raw.socket.remoteAddress)) return true;
  const token = access.token;
  if (token === undefined || token === '') return false;
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (match === null) return false;
  const given = Buffer.from(match[1]!);
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Null when a trivial read (the domain list) succeeds within HEALTH_CHECK_TIMEOUT_MS. */
async function storeProblem(store: MailStore): Promise<Error | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Error>((resolve) => {
    timer = setTimeout(
      () => resolve(new Error(`store read took over ${HEALTH_CHECK_TIMEOUT_MS} ms`)),
      HEALTH_CHECK_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([
      store.listDomains().then(
        () => null,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
