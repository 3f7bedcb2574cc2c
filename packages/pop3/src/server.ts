import type { Socket } from 'node:net';
import {
  AuthThrottle,
  LoginPolicy,
  ConnectionLimiter,
  secureContextSourceOf,
  sessionLogger,
  startListener,
} from '@minimail/protocol';
import type {
  ConnectionInfo,
  Listener,
  SecureContextSource,
  ServiceListener,
  ServiceOptions,
} from '@minimail/protocol';
import { DEFAULT_MAX_CLIENTS, IDLE_TIMEOUT_MS } from './limits.js';
import { REPLIES } from './replies.js';
import { pop3CredentialCheck } from './login.js';
import { Pop3Session } from './session.js';
import type { Pop3Store, SessionServices } from './commands/types.js';

export interface Pop3ServiceOptions extends ServiceOptions {
  store: Pop3Store;
  /** RFC 1939 3 autologout; defaults to IDLE_TIMEOUT_MS (10 minutes). */
  idleTimeoutMs?: number;
  // maxClients defaults to DEFAULT_MAX_CLIENTS; in production, stored passwords over TLS only.
}

/** close() stops accepting, ends every session (no deletions are applied), releases their locks. */
export type Pop3Listener = ServiceListener;

/**
 * A POP3 listener: port 110/1110 with STLS (implicitTls false) or 995/1995 with TLS from the first
 * byte (implicitTls true, RFC 8314 3.3). Accepting, connection limits, the TLS handshake and
 * shutdown are the protocol package's listener; this file wires a Pop3Session to each connection.
 */
export function createPop3Server(options: Pop3ServiceOptions & { implicitTls: boolean }): Pop3Listener {
  const { logger, implicitTls } = options;
  if (implicitTls && options.tls === null) throw new Error('pop3: implicit TLS needs a certificate');
  // A provider's current() is asked at each handshake, so renewed certificates need no restart.
  const secureContext: SecureContextSource | null =
    options.tls === null ? null : secureContextSourceOf(options.tls);
  const services: SessionServices = {
    store: options.store,
    hostname: options.hostname,
    profile: options.profile,
    login: new LoginPolicy({
      // Without a shared throttle from the app, failures on 110 and 995 are counted apart.
      throttle: options.authThrottle ?? new AuthThrottle(),
      check: pop3CredentialCheck(options.store, options.profile),
      onFailure: () => options.metrics?.authFailure(),
    }),
    metrics: options.metrics,
    recordings: options.recordings,
  };
  const limiter =
    options.connectionLimiter ??
    new ConnectionLimiter({
      maxTotal: options.maxClients ?? DEFAULT_MAX_CLIENTS,
      ...(options.maxConnectionsPerIp === undefined ? {} : { maxPerIp: options.maxConnectionsPerIp }),
    });
  const idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  /** Sessions still running, so close() can wait for their maildrop locks to be released. */
  const running = new Set<Promise<void>>();
  let listener: Listener | null = null;

  const onConnection = async (socket: Socket, info: ConnectionInfo): Promise<void> => {
    const session = new Pop3Session({
      socket,
      secure: info.secure,
      stlsContext: info.secure ? null : secureContext,
      services,
      logger: sessionLogger(logger, { cid: info.id, proto: 'pop3', remote: info.remoteAddress }),
      cid: info.id,
      remoteIp: info.remoteAddress,
      idleTimeoutMs,
    });
    const onAbort = (): void => session.shutdown();
    info.signal.addEventListener('abort', onAbort, { once: true });
    const done = session.run();
    running.add(done);
    try {
      await done;
    } finally {
      running.delete(done);
      info.signal.removeEventListener('abort', onAbort);
    }
  };

  return {
    listen: async (port, host) => {
      if (listener) throw new Error('pop3: already listening');
      listener = await startListener({
        host,
        port,
        tls: implicitTls && secureContext !== null ? { secureContext } : null,
        limiter,
        limitReply: REPLIES.tooManyClients,
        logger,
        ...(options.metrics ? { metrics: options.metrics } : {}),
        onConnection,
      });
      return listener.port;
    },
    close: async () => {
      await listener?.close();
      await Promise.all([...running]);
    },
  };
}
