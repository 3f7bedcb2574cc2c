/**
 * createImapServer: one listener (STARTTLS or implicit TLS) whose connections each run a Session.
 */
import {
  AuthThrottle,
  ConnectionLimiter,
  secureContextSourceOf,
  startListener,
  type Listener,
  type SecureContextSource,
} from '@minimail/protocol';
import { COMMANDS } from './commands/registry.js';
import { DEFAULT_LIMITS, DEFAULT_MAX_CLIENTS } from './limits.js';
import { MessageStructures } from './message-structure.js';
import type { CreateImapServerOptions, ImapListener } from './options.js';
import type { ServerContext } from './server-context.js';
import { NotifyHub } from './session/notify-hub.js';
import { RecentTracker } from './session/recent-tracker.js';
import { Session } from './session/session.js';

export function createImapServer(options: CreateImapServerOptions): ImapListener {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  // A provider's current() is asked at each handshake, so renewed certificates need no restart.
  // Every context is built with the protocol floor (TLS 1.2, RFC 8996 / RFC 8314 4.1).
  const secureContext: SecureContextSource | null =
    options.tls === null ? null : secureContextSourceOf(options.tls);
  if (options.implicitTls && secureContext === null)
    throw new Error('IMAPS (implicit TLS) needs a certificate');
  const logger = options.logger.child({ service: options.implicitTls ? 'imaps' : 'imap' });
  const context: ServerContext = {
    store: options.store,
    logger,
    hostname: options.hostname,
    profile: options.profile,
    secureContext,
    limits,
    literalPlus: options.literalPlus ?? true,
    // Without a shared throttle from the app, failures on 143 and 993 are counted apart.
    authThrottle: options.authThrottle ?? new AuthThrottle(),
    metrics: options.metrics,
    spool: options.spool ?? null,
    recordings: options.recordings,
    // Shared by every listener on the same store (RFC 3501 2.3.2: \Recent in one session only).
    recent: RecentTracker.for(options.store),
    structures: new MessageStructures(options.store, logger, limits.structureCacheEntries),
    commands: COMMANDS,
    // RFC 5465 NOTIFY: mailbox list changes for the sessions that watch them (docs/adr/0029).
    notifyHub: new NotifyHub(options.store, limits.notifyListPollMs, (err: unknown) =>
      logger.error({ err }, 'NOTIFY list refresh failed'),
    ),
    onMessagesMoved: options.onMessagesMoved,
  };
  const limiter =
    options.connectionLimiter ??
    new ConnectionLimiter({
      maxTotal: options.maxClients ?? DEFAULT_MAX_CLIENTS,
      ...(options.maxConnectionsPerIp === undefined ? {} : { maxPerIp: options.maxConnectionsPerIp }),
    });
  let listener: Listener | null = null;

  return {
    async listen(port, host) {
      if (listener) throw new Error('IMAP server is already listening');
      listener = await startListener({
        host,
        port,
        tls: options.implicitTls && secureContext ? { secureContext } : null,
        limiter,
        limitReply: '* BYE Too many connections, try again later',
        logger,
        ...(options.metrics ? { metrics: options.metrics } : {}),
        onConnection: (socket, info) => new Session(socket, info, context).run(),
      });
      logger.info({ port: listener.port, host, implicitTls: options.implicitTls }, 'IMAP listening');
      return listener.port;
    },
    async close() {
      await listener?.close();
      listener = null;
      context.notifyHub.close();
    },
  };
}
