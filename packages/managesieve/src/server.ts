/**
 * The ManageSieve listener (RFC 5804; port 4190, dev 14190): accepting, connection limits and TLS
 * are the protocol package's; each connection runs a ManageSieveSession.
 */
import {
  AuthThrottle,
  ConnectionLimiter,
  LoginPolicy,
  secureContextSourceOf,
  sessionLogger,
  startListener,
} from '@minimail/protocol';
import type { Listener, ServiceListener, ServiceOptions } from '@minimail/protocol';
import type { AccountStore, SieveScriptStore, User } from '@minimail/store';
import { StoreError } from '@minimail/store';
import { DEFAULT_MAX_CLIENTS, IDLE_TIMEOUT_MS } from './limits.js';
import { ManageSieveSession } from './session.js';
import { response } from './wire.js';

/**
 * The same shape as the other services; `tls` is the STARTTLS certificate (null: no STARTTLS and,
 * in production, no login). Logins go through the protocol package's one LoginPolicy.
 */
export interface ManageSieveOptions extends ServiceOptions {
  /** Accounts (login) and Sieve scripts. */
  store: AccountStore & SieveScriptStore;
  idleTimeoutMs?: number;
}

export type ManageSieveListener = ServiceListener;

/**
 * Dev profile: any password for any address (the login creates the account); production: the
 * stored hash. Null is "not accepted"; store trouble is thrown (the policy answers TRYLATER).
 */
function credentialCheck(store: AccountStore, profile: 'dev' | 'production') {
  return async (address: string, password: string): Promise<User | null> => {
    if (profile === 'production') return store.verifyPassword(address, password);
    try {
      return await store.ensureUser(address);
    } catch (error) {
      if (error instanceof StoreError && error.code === 'INVALID') return null;
      throw error;
    }
  };
}

export function createManageSieveServer(options: ManageSieveOptions): ManageSieveListener {
  const starttls = options.tls === null ? null : secureContextSourceOf(options.tls);
  const services = {
    store: options.store,
    profile: options.profile,
    login: new LoginPolicy({
      throttle: options.authThrottle ?? new AuthThrottle(),
      check: credentialCheck(options.store, options.profile),
      onFailure: () => options.metrics?.authFailure(),
    }),
  };
  const limiter =
    options.connectionLimiter ??
    new ConnectionLimiter({
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
