import type { Socket } from 'node:net';
import {
  AuthThrottle,
  ConnectionLimiter,
  secureContextSourceOf,
  sessionLogger,
  startListener,
} from '@minimail/protocol';
import type {
  ConnectionInfo,
  Listener,
  Logger,
  ProtocolMetrics,
  SecureContextSource,
  TlsSource,
} from '@minimail/protocol';
import { DEFAULT_MAX_CLIENTS, IDLE_TIMEOUT_MS } from './limits.js';
import { REPLIES } from './replies.js';
import { Pop3Session } from './session.js';
import type { Pop3Store, SessionServices } from './commands/types.js';

export interface Pop3ServiceOptions {
  store: Pop3Store;
  /** pino logger from the app; each session logs through a child with cid, proto and remote. */
  logger: Logger;
  /** Shown in the greeting. */
  hostname: string;
  /** dev: any password logs in and creates the account. production: stored passwords, TLS only. */
  profile: 'dev' | 'production';
  /**
   * Certificate for STLS and implicit TLS: PEM text, or a TlsContextProvider whose reloaded
   * certificate the next handshake uses (no restart); null disables both.
   */
  tls: TlsSource | null;
  /** RFC 1939 3 autologout; defaults to IDLE_TIMEOUT_MS (10 minutes). */
  idleTimeoutMs?: number;
  /** Simultaneous sessions; defaults to DEFAULT_MAX_CLIENTS. */
  maxClients?: number;
  /** Simultaneous sessions from one IP; defaults to the protocol package's LIMITS.maxConnectionsPerIp. */
  maxConnectionsPerIp?: number;
  /** Counts in total and per IP instead of a limiter of this listener's own (maxClients etc. unused). */
  connectionLimiter?: ConnectionLimiter;
  /** Failed-login throttle; pass one to every listener of the process so all ports count together. */
  authThrottle?: AuthThrottle;
  /** Connections, commands, -ERR replies, retrieved messages and failed logins. */
  metrics?: ProtocolMetrics;
}

export interface Pop3Listener {
  /** Start listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number>;
  /** Stop accepting, end every session (no deletions are applied), release their locks. */
  close(): Promise<void>;
}

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
    // Without a shared throttle from the app, failures on 110 and 995 are counted apart.
    throttle: options.authThrottle ?? new AuthThrottle(),
    metrics: options.metrics,
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
