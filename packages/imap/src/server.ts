/**
 * createImapServer: one listener (STARTTLS or implicit TLS) whose connections each run a Session.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import {
  AuthThrottle,
  ConnectionLimiter,
  MIN_TLS_VERSION,
  startListener,
  type Listener,
} from '@minimail/protocol';
import { DEFAULT_LIMITS, DEFAULT_MAX_CLIENTS } from './limits.js';
import { MessageStructures } from './message-structure.js';
import type { CreateImapServerOptions, ImapListener } from './options.js';
import type { ServerContext } from './server-context.js';
import { RecentTracker } from './session/recent-tracker.js';
import { Session } from './session/session.js';

export function createImapServer(options: CreateImapServerOptions): ImapListener {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const secureContext: SecureContext | null = options.tls
    ? createSecureContext({ key: options.tls.key, cert: options.tls.cert, minVersion: MIN_TLS_VERSION })
    : null;
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
    authThrottle: new AuthThrottle(),
    recent: new RecentTracker(),
    structures: new MessageStructures(options.store, logger, limits.structureCacheEntries),
  };
  const limiter = new ConnectionLimiter({ maxTotal: options.maxClients ?? DEFAULT_MAX_CLIENTS });
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
        onConnection: (socket, info) => new Session(socket, info, context).run(),
      });
      logger.info({ port: listener.port, host, implicitTls: options.implicitTls }, 'IMAP listening');
      return listener.port;
    },
    async close() {
      await listener?.close();
      listener = null;
    },
  };
}
