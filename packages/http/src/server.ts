import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { createSessionId } from '@minimail/protocol';
import { StoreError } from '@minimail/store';
import { registerApiV1 } from './api-v1/routes.js';
import { SHARED_SCHEMAS } from './api-v1/schemas.js';
import { CHAOS_SCHEMA, registerChaos } from './api-v1/chaos-routes.js';
import { registerSessionRoutes, SESSION_SCHEMAS } from './api-v1/session-routes.js';
import { registerVacationRoutes, VACATION_SCHEMA } from './api-v1/vacation-routes.js';
import { Catcher } from './catcher/catcher.js';
import { CaughtMail } from './catcher/caught-mail.js';
import { registerLegacyCatcher } from './catcher/routes.js';
import { MailEvents } from './events.js';
import { registerEventStream } from './event-stream.js';
import { BODY_LIMIT_BYTES, CLOSE_GRACE_MS, REQUEST_TIMEOUT_MS } from './limits.js';
import { registerOperations } from './operations.js';
import type { HttpListener, HttpServiceOptions } from './options.js';
import { isTrustedHost } from './trusted-host.js';
import { registerWebApp } from './web-app.js';
import { registerBasicAuth } from './basic-auth.js';
import { isPublicAutoconfigPath, registerAutoconfig } from './autoconfig/routes.js';
import { registerRelease } from './api-v1/release-route.js';
import { Retention } from './catcher/retention.js';
import { Webhooks } from './webhooks.js';

/** Paths that answer any Host (probes and scrapers use container names). */
const OPERATION_PATHS = new Set(['/healthz', '/metrics']);

/**
 * Paths answered for any Host and without basic auth: operations, client autoconfiguration (asked
 * for under autoconfig.<domain>) and ACME HTTP-01 (the CA's validator names the domain).
 */
function isPublicPath(path: string): boolean {
  return OPERATION_PATHS.has(path) || isPublicAutoconfigPath(path);
}

/**
 * The HTTP service (port 8025, like Mailpit and MailHog) on Fastify (docs/adr/0017): health and
 * metrics for operators, and in the dev profile the mail catcher: /api/v1 (OpenAPI 3.1 at
 * /api/v1/openapi.json, docs at /api/v1/docs), the first /api/messages routes, the event stream
 * and the web app.
 */
export function createHttpServer(options: HttpServiceOptions): HttpListener {
  const closing = new AbortController();
  let app: FastifyInstance | null = null;
  let events: MailEvents | null = null;
  let closed: Promise<void> | null = null;
  return {
    async listen(port, host) {
      const built = await buildApp(options, closing.signal);
      app = built.app;
      events = built.events;
      await app.listen({ port, host });
      const address = app.server.address();
      return typeof address === 'object' && address !== null ? address.port : port;
    },
    close: () =>
      (closed ??= (async () => {
        closing.abort();
        events?.close();
        if (app === null) return;
        const grace = setTimeout(() => app?.server.closeAllConnections(), CLOSE_GRACE_MS);
        grace.unref();
        app.server.closeIdleConnections();
        await app.close();
        clearTimeout(grace);
      })()),
  };
}

/** The Fastify app with every route of the profile; exported for tests that inject requests. */
export async function buildApp(
  options: HttpServiceOptions,
  closing: AbortSignal,
): Promise<{ app: FastifyInstance; events: MailEvents }> {
  const { logger } = options;
  const app = Fastify({
    logger: false,
    requestTimeout: REQUEST_TIMEOUT_MS,
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => createSessionId(),
    // Query strings and params are coerced by the schemas (?start=10 is a number).
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false } },
  });
  for (const schema of [...SHARED_SCHEMAS, CHAOS_SCHEMA, VACATION_SCHEMA, ...SESSION_SCHEMAS])
    app.addSchema(schema);
  const events = new MailEvents(options.store, logger);
  if (options.basicAuth !== undefined) await registerBasicAuth(app, options.basicAuth, isPublicPath);

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (!isPublicPath(path) && !isTrustedHost(request.headers.host, options.allowedHosts ?? [])) {
      return reply.code(403).send({ error: 'host not allowed' });
    }
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    // Nothing is cached unless a route says so, nothing is sniffed, nothing is framed elsewhere.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('x-frame-options')) reply.header('x-frame-options', 'DENY');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    logger.debug(
      { rid: request.id, method: request.method, path: request.url, status: reply.statusCode },
      'http request',
    );
  });
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error.validation !== undefined || (error.statusCode !== undefined && error.statusCode < 500)) {
      return reply.code(error.statusCode ?? 400).send({ error: error.message });
    }
    if (error instanceof StoreError && error.code === 'INVALID')
      return reply.code(400).send({ error: error.message });
    if (error instanceof StoreError && error.code === 'NOT_FOUND')
      return reply.code(404).send({ error: error.message });
    logger.error(
      { rid: request.id, err: error, method: request.method, path: request.url },
      'http request failed',
    );
    const temporary = error instanceof StoreError && error.code === 'TEMPORARY';
    return reply.code(temporary ? 503 : 500).send({ error: 'internal error' });
  });
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ error: 'not found' }));

  // Every profile: client autoconfiguration and ACME HTTP-01 (issue 18, docs/adr/0019, 0021).
  await registerAutoconfig(app, options);
  registerOperations(app, options.store, options.registry, logger, {
    open: options.profile === 'dev',
    token: options.metricsToken,
  });

  if (options.profile === 'dev') {
    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'minimail API',
          version: '1',
          description:
            "minimail's mail-catcher API. Paths and shapes shared with Mailpit's v1 API follow it, so Mailpit clients work; minimail's additions are tagged `minimail`.",
        },
      },
      refResolver: { buildLocalReference: (json) => String(json['$id']) },
    });
    await app.register(fastifySwaggerUi, { routePrefix: '/api/v1/docs' });
    app.get('/api/v1/openapi.json', { schema: { hide: true } }, () => app.swagger());
    const catcher = new Catcher(options.store);
    registerApiV1(app, {
      catcher,
      events,
      version: options.version ?? '0.1.0',
      closing,
      chaosEnabled: options.chaos !== undefined,
    });
    registerEventStream(app, events, closing);
    registerSessionRoutes(app, { book: options.recordings, catcher, closing });
    registerChaos(app, options.chaos);
    registerVacationRoutes(app, options.store);
    registerRelease(app, catcher, options.release);
    if (options.retention !== undefined) {
      const retention = new Retention(catcher, events, options.retention, logger);
      retention.start();
      app.addHook('onClose', async () => retention.stop());
    }
    if (options.webhook !== undefined) {
      const webhooks = new Webhooks(catcher, events, options.webhook, logger);
      await webhooks.start();
      app.addHook('onClose', async () => webhooks.stop());
    }
    registerLegacyCatcher(app, new CaughtMail(options.store), closing);
    await registerWebApp(app, options.webRoot);
    // Mail caught before the search index existed (or brought by `store copy`) becomes searchable
    // in the background; new mail is indexed by its delivery. Several processes may do this at once.
    app.addHook('onListen', async () => {
      options.store
        .indexMissingBodies()
        .then((indexed) => {
          if (indexed > 0) logger.info({ indexed }, 'catcher: indexed mail stored before the search index');
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'catcher: indexing older mail failed'));
    });
  }
  await app.ready();
  return { app, events };
}
