import type { MailStore } from '@minimail/store';
import type { Registry } from 'prom-client';
import { HEALTH_CHECK_TIMEOUT_MS } from './limits.js';
import { sendText } from './responses.js';
import type { Route } from './router.js';
import type { Logger } from '@minimail/protocol';

/**
 * The operator's routes, in every profile:
 *   GET /healthz  200 "ok" when the store answers a trivial read in time, 503 otherwise
 *   GET /metrics  Prometheus text exposition of the process's registry
 */
export function operationsRoutes(store: MailStore, registry: Registry, logger: Logger): Route[] {
  return [
    {
      method: 'GET',
      path: '/healthz',
      handler: async ({ res }) => {
        const problem = await storeProblem(store);
        if (problem === null) return sendText(res, 200, 'ok\n');
        logger.warn({ err: problem }, 'health check failed');
        sendText(res, 503, 'store unavailable\n');
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async ({ res }) => sendText(res, 200, await registry.metrics(), registry.contentType),
    },
  ];
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
