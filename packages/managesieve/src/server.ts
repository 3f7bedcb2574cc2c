/**
 * The ManageSieve listener (RFC 5804; port 4190, dev 14190): accepting, connection limits and TLS
 * are the protocol package's; each connection runs a ManageSieveSession.
 */
import {
  AuthThrottle,
  ConnectionLimiter,
  secureContextSourceOf,
  sessionLogger,
  startListener,
} from '@minimail/protocol';
import type { Listener, Logger, ProtocolMetrics, TlsSource } from '@minimail/protocol';
import type { MailStore, SieveScriptStore } from '@minimail/store';
import { DEFAULT_MAX_CLIENTS, IDLE_TIMEOUT_MS } from './limits.js';
import { ManageSieveSession } from './session.js';
import { response } from './wire.js';

export interface ManageSieveOptions {
  store: MailStore;
  scripts: SieveScriptStore;
  logger: Logger;
  profile: 'dev' | 'production';
  /** Certificate for STARTTLS; null: no STARTTLS (and, in production, no login). */
  tls: TlsSource | null;
  idleTimeoutMs?: number;
  maxClients?: number;
  maxConnectionsPerIp?: number;
  authThrottle?: AuthThrottle;
  metrics?: ProtocolMetrics;
}

export interface ManageSieveListener {
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export function createManageSieveServer(options: ManageSieveOptions): ManageSieveListener {
  const starttls = options.tls === null ? null : secureContextSourceOf(options.tls);
  const services = {
    store: options.store,
    scripts: options.scripts,
    profile: options.profile,
    throttle: options.authThrottle ?? new AuthThrottle(),
  };
  const limiter = new ConnectionLimiter({
    maxTotal: options.maxClients ?? DEFAULT_MAX_CLIENTS,
    ...(options.maxConnectionsPerIp === undefined ? {} : { maxPerIp: options.maxConnectionsPerIp }),
  });
  const running = new Set<Promise<void>>();
  let listener: Listener | null = null;
  return {
    async listen(port, host) {
      if (listener) throw new Error('managesieve: already listening');
      listener = await startListener({
        host,
        port,
        tls: null,
        limiter,
        limitReply: response('BYE', 'TRYLATER', 'Too many connections').trimEnd(),
        logger: options.logger,
        ...(options.metrics ? { metrics: options.metrics } : {}),
        onConnection: async (socket, info) => {
          const session = new ManageSieveSession({
            socket,
            secure: info.secure,
            starttls,
            services,
            logger: sessionLogger(options.logger, {
              cid: info.id,
              proto: 'managesieve',
              remote: info.remoteAddress,
            }),
            remoteIp: info.remoteAddress,
            idleTimeoutMs: options.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
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
        },
      });
      return listener.port;
    },
    async close() {
      await listener?.close();
      await Promise.all([...running]);
    },
  };
}
