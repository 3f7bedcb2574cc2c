import { setMaxListeners } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionLimiter, ReleaseConnection } from './connection-limits.js';
import { LIMITS } from './limits.js';
import type { Logger } from './logging.js';
import type { ProtocolMetrics } from './metrics.js';
import { normalizeRemoteAddress } from './remote-address.js';
import { closeAfterEnd } from './socket-end.js';
import { createSessionId } from './session-id.js';
import { upgradeToTls, type SecureContextSource } from './tls.js';

export interface ConnectionInfo {
  /** Session id for logs and transcripts (createSessionId). */
  id: string;
  /** Client IP, IPv4-mapped IPv6 unmapped. */
  remoteAddress: string;
  remotePort: number;
  /** True on an implicit-TLS listener (the socket is already a TLSSocket). */
  secure: boolean;
  /**
   * Aborted when the listener starts closing: the session should say goodbye (IMAP "* BYE",
   * POP3 "-ERR") and close before the grace period ends and its socket is destroyed.
   */
  signal: AbortSignal;
}

export interface ListenerOptions {
  /** An IP literal (names are never resolved). */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Given: implicit TLS (IMAPS 993, POP3S 995, RFC 8314 3.3); every connection starts with a handshake. */
  tls?: { secureContext: SecureContextSource } | null;
  limiter?: ConnectionLimiter;
  /**
   * Serves one connection. The socket starts paused (attach a LineReader to read) and is
   * half-open capable: when the client shuts down its side the session can still answer, and
   * must end() the socket itself. A rejected promise is logged and the socket destroyed.
   */
  onConnection: (socket: Socket | TLSSocket, info: ConnectionInfo) => void | Promise<void>;
  /**
   * Line (without CRLF) sent to a client refused by the limiter before the socket is closed, e.g.
   * "-ERR [SYS/TEMP] too many connections" or "* BYE too many connections". Plain listeners only:
   * on a TLS listener a refused client is dropped without spending a handshake on it.
   */
  limitReply?: string;
  logger: Logger;
  /** Defaults to LIMITS.tlsHandshakeTimeoutMs. */
  handshakeTimeoutMs?: number;
  /** Defaults to LIMITS.closeGraceMs. */
  closeGraceMs?: number;
  /** Defaults to LIMITS.closeLingerMs (socket-end.ts). */
  closeLingerMs?: number;
  /** Counts accepted, open and refused connections (createMetrics().forProtocol(...)). */
  metrics?: ProtocolMetrics;
}

export interface Listener {
  /** The port actually bound. */
  readonly port: number;
  /** Open connections (including those still in the TLS handshake). */
  readonly connections: number;
  /**
   * Stop accepting, signal open sessions, wait for them up to the grace period, then destroy what
   * is left. Resolves once every socket is closed. Safe to call more than once.
   */
  close(): Promise<void>;
}

/** A TCP (or implicit-TLS) listener for the hand-written POP3 and IMAP servers. */
export async function startListener(options: ListenerOptions): Promise<Listener> {
  const { logger } = options;
  const open = new Set<Socket>();
  const shutdown = new AbortController();
  // Each open session listens for shutdown (ConnectionInfo.signal): thousands of listeners are
  // expected, not a leak, so Node's warning past 10 is turned off for this one signal.
  setMaxListeners(0, shutdown.signal);
  const graceMs = options.closeGraceMs ?? LIMITS.closeGraceMs;

  const refuse = (socket: Socket, remoteAddress: string): void => {
    logger.warn({ remote: remoteAddress }, 'connection refused: connection limit reached');
    options.metrics?.connectionRefused('limit');
    if (options.limitReply !== undefined && !options.tls) {
      socket.end(`${options.limitReply}\r\n`, () => socket.destroy());
    } else {
      socket.destroy();
    }
  };

  const serve = (socket: Socket | TLSSocket, info: ConnectionInfo): void => {
    const failed = (error: unknown): void => {
      logger.error({ err: error, cid: info.id }, 'session failed');
      socket.destroy();
    };
    // In a microtask, as a promise callback would run it, with a throw caught like a rejection.
    // Not `Promise.resolve().then(...)`: that promise would adopt the session's own for as long
    // as the session lasts (a promise, a reaction and two resolving functions, ~0.25 KiB for
    // each of 10,000 IDLE clients, issue 6).
    queueMicrotask(() => {
      let session: void | Promise<void>;
      try {
        session = options.onConnection(socket, info);
      } catch (error) {
        failed(error);
        return;
      }
      session?.catch(failed);
    });
  };

  const accept = (socket: Socket): void => {
    const remoteAddress = normalizeRemoteAddress(socket.remoteAddress);
    // Request/response protocols write a reply in several pieces (status line, body chunks,
    // terminator); with Nagle's algorithm the last piece waits for the client's delayed ACK
    // (40 ms on Linux) - measured: 44 ms per POP3 RETR with it, 0.4 ms without (docs/benchmarks.md).
    socket.setNoDelay(true);
    // Sessions add their own listeners; this one makes sure no socket error is ever unhandled.
    socket.on('error', (error) => logger.debug({ err: error, remote: remoteAddress }, 'socket error'));
    if (shutdown.signal.aborted) {
      socket.destroy();
      return;
    }
    let release: ReleaseConnection | null = () => {};
    if (options.limiter) release = options.limiter.tryAcquire(remoteAddress);
    if (!release) {
      refuse(socket, remoteAddress);
      return;
    }
    open.add(socket);
    // A session that ends its side is gone for good, and 'close' below fires (socket-end.ts).
    closeAfterEnd(socket, options.closeLingerMs);
    const releaseSlot = release;
    const closedForMetrics = options.metrics?.connectionOpened();
    socket.once('close', () => {
      open.delete(socket);
      releaseSlot();
      closedForMetrics?.();
    });
    const info: ConnectionInfo = {
      id: createSessionId(),
      remoteAddress,
      remotePort: socket.remotePort ?? 0,
      secure: Boolean(options.tls),
      signal: shutdown.signal,
    };
    if (!options.tls) {
      serve(socket, info);
      return;
    }
    const upgradeOptions = {
      ...(options.handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: options.handshakeTimeoutMs }),
      ...(options.closeLingerMs === undefined ? {} : { closeLingerMs: options.closeLingerMs }),
    };
    upgradeToTls(socket, options.tls.secureContext, upgradeOptions).then(
      (secure) => {
        secure.on('error', (error) => logger.debug({ err: error, cid: info.id }, 'TLS socket error'));
        serve(secure, info);
      },
      (error: unknown) =>
        logger.info({ err: error, cid: info.id, remote: remoteAddress }, 'TLS handshake failed'),
    );
  };

  // pauseOnConnect: nothing is read until the session attaches its reader (or TLS takes over).
  // allowHalfOpen: a client that sends QUIT and shuts down its side still gets the reply.
  const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, accept);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.error({ err: error }, 'listener error'));
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    shutdown.abort();
    const serverClosed = new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
    });
    const grace = new AbortController();
    const graceOver = sleep(graceMs, undefined, { signal: grace.signal, ref: false }).then(
      () => true,
      () => false,
    );
    const graceElapsed = await Promise.race([serverClosed.then(() => false), graceOver]);
    grace.abort();
    if (graceElapsed) {
      logger.info({ open: open.size }, 'destroying connections still open after the grace period');
      for (const socket of open) socket.destroy();
    }
    await serverClosed;
    // The server reports closed as soon as its count drops; sockets emit 'close' a tick later.
    await Promise.all([...open].map((socket) => new Promise((resolve) => socket.once('close', resolve))));
  };

  return {
    port,
    get connections() {
      return open.size;
    },
    close: () => (closing ??= close()),
  };
}
