import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { answerAcmeHttp01, createSessionId } from '@minimail/protocol';
import { StoreError } from '@minimail/store';
import { CaughtMail } from './catcher/caught-mail.js';
import { catcherRoutes } from './catcher/routes.js';
import { CLOSE_GRACE_MS, REQUEST_TIMEOUT_MS } from './limits.js';
import { operationsRoutes } from './operations.js';
import type { HttpListener, HttpServiceOptions } from './options.js';
import { sendError, sendText } from './responses.js';
import { matchRoute, type Route } from './router.js';
import { answerAutoconfigRequest } from './autoconfig/mount.js';
import { isAutoconfigPath } from './autoconfig/answer.js';
import { isTrustedHost } from './trusted-host.js';
import { WEB_PAGE_CSP, WEB_PAGE_HTML, WEB_PAGE_SCRIPT } from './web-page.js';

/** How often close() closes connections that went idle after their last answer. */
const IDLE_SWEEP_MS = 20;

/**
 * The HTTP service (port 8025, like Mailpit and MailHog): health and metrics for operators, and in
 * the dev profile the mail-catcher API and its web page. Plain node:http and a route table.
 */
export function createHttpServer(options: HttpServiceOptions): HttpListener {
  const { logger } = options;
  const operations = operationsRoutes(options.store, options.registry, logger);
  /** /healthz and /metrics answer any Host (probes and scrapers use container names). */
  const operationPaths = new Set(operations.map((route) => route.path));
  const allowedHosts = options.allowedHosts ?? [];
  const routes: Route[] = [...operations];
  if (options.profile === 'dev') {
    routes.push(...catcherRoutes(new CaughtMail(options.store)), ...webPageRoutes());
  }
  /** Aborted by close(): long polls give up and answer at once. */
  const closing = new AbortController();
  const sockets = new Set<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rid = createSessionId();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return sendError(res, 400, 'bad request target');
    }
    // ACME HTTP-01 (RFC 8555 8.3) before the Host check: the CA's validator names the domain.
    const acme = options.acmeChallenges && answerAcmeHttp01(options.acmeChallenges, url.pathname);
    if (acme) return void res.writeHead(acme.status, { 'content-type': acme.contentType }).end(acme.body);
    // Client autoconfiguration, also before the Host check: asked for under autoconfig.<domain>.
    if (options.clientSettings && isAutoconfigPath(url.pathname)) {
      return answerAutoconfigRequest(options, options.clientSettings, req, res, url);
    }
    if (!operationPaths.has(url.pathname) && !isTrustedHost(req.headers.host, allowedHosts)) {
      return sendError(res, 403, 'host not allowed');
    }
    let match;
    try {
      match = matchRoute(routes, req.method ?? 'GET', url.pathname);
    } catch {
      // decodeURIComponent: a malformed %-escape in the path.
      return sendError(res, 400, 'bad path');
    }
    if (match.kind === 'not-found') return sendError(res, 404, 'not found');
    if (match.kind === 'method-not-allowed') {
      res.setHeader('allow', [...new Set(match.allowed)].join(', '));
      return sendError(res, 405, 'method not allowed');
    }
    const gone = new AbortController();
    // 'close' on the response: the client went away (or the answer is done; aborting then is harmless).
    res.once('close', () => gone.abort());
    try {
      await match.handler({
        req,
        res,
        url,
        params: match.params,
        signal: AbortSignal.any([gone.signal, closing.signal]),
      });
      logger.debug({ rid, method: req.method, path: url.pathname, status: res.statusCode }, 'http request');
    } catch (error) {
      if (error instanceof StoreError && error.code === 'INVALID') return sendError(res, 400, error.message);
      logger.error({ rid, err: error, method: req.method, path: url.pathname }, 'http request failed');
      sendError(res, error instanceof StoreError && error.code === 'TEMPORARY' ? 503 : 500, 'internal error');
    }
  };

  const server = createServer({ requestTimeout: REQUEST_TIMEOUT_MS }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'http handler failed');
      res.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (error, socket) => {
    logger.debug({ err: error }, 'http client error');
    socket.destroy();
  });

  let closed: Promise<void> | null = null;
  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          server.on('error', (error) => logger.error({ err: error }, 'http server error'));
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: () =>
      (closed ??= (async () => {
        closing.abort();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Long polls answer as soon as `closing` aborts; their keep-alive sockets then go idle.
        const idleSweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
        server.closeIdleConnections();
        const grace = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, CLOSE_GRACE_MS);
        grace.unref();
        await stopped;
        clearInterval(idleSweep);
        clearTimeout(grace);
      })()),
  };
}

function webPageRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: '/',
      handler: ({ res }) => {
        res.setHeader('content-security-policy', WEB_PAGE_CSP);
        sendText(res, 200, WEB_PAGE_HTML, 'text/html; charset=utf-8');
      },
    },
    {
      method: 'GET',
      path: '/app.js',
      handler: ({ res }) => sendText(res, 200, WEB_PAGE_SCRIPT, 'text/javascript; charset=utf-8'),
    },
  ];
}
