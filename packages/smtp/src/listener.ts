import { SMTPServer } from 'smtp-server';
import type { SMTPServerOptions } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { isTlsContextProvider, type ProtocolMetrics, type TlsSource } from '@minimail/protocol';
import { greetWithoutDelay } from './greeting.js';
import type { InFlight } from './in-flight.js';
import { CLOSE_GRACE_MS } from './limits.js';
import { ENHANCED_CODE_PREFIX } from './replies.js';
import type { SmtpListener } from './server-options.js';

type Connection = SMTPServer['connections'] extends Set<infer C> ? C : never;

/**
 * smtp-server picks the enhanced status code of an application reply from the reply code alone
 * (553 is always 5.1.3, 554 always 5.6.0), but a refused relay is 554 5.7.1 and a foreign sender
 * 553 5.7.1. This server lets a reply text that already starts with an enhanced code keep it:
 * `send(code, text, false)` is smtp-server's own way to send a reply without adding one.
 */
class EnhancedCodeServer extends SMTPServer {
  /** Greet at once instead of after smtp-server's early-talker pause (greeting.ts). */
  greetImmediately = false;
  hideAuthBeforeTls = false;
  metrics: ProtocolMetrics | undefined;

  override connect(...args: Parameters<SMTPServer['connect']>): void {
    super.connect(...args);
    // connect() has just added the new connection; a Set iterates in insertion order.
    let newest: Connection | undefined;
    for (const connection of this.connections) newest = connection;
    if (newest === undefined) return;
    keepApplicationEnhancedCodes(newest, this.metrics, this.hideAuthBeforeTls);
    if (this.greetImmediately) greetWithoutDelay(newest);
  }
}

function keepApplicationEnhancedCodes(
  connection: Connection,
  metrics: ProtocolMetrics | undefined,
  hideAuthBeforeTls: boolean,
): void {
  const send = connection.send.bind(connection);
  connection.send = (code, data, context) => {
    // smtp-server lists AUTH in EHLO before STARTTLS too (and answers its use with 538); the
    // EHLO reply is the one 250 whose text is a list of lines.
    if (
      hideAuthBeforeTls &&
      code === 250 &&
      Array.isArray(data) &&
      !(connection as { secure?: boolean }).secure
    ) {
      data = data.filter((line: string) => !/^AUTH /i.test(line));
    }
    const hasOwnCode = typeof data === 'string' && ENHANCED_CODE_PREFIX.test(data);
    // Every 4xx/5xx reply, ours or smtp-server's, by code: what an operator alerts on.
    if (code >= 400) metrics?.error(String(code));
    send(code, data, hasOwnCode ? false : context);
  };
}

/** Listener behaviour beyond smtp-server's options. */
export interface ListenerExtras {
  /** Followed for certificate renewals when it is a TlsContextProvider. */
  tls: TlsSource | null;
  rejectEarlyTalkers: boolean;
  metrics: ProtocolMetrics | undefined;
  /** Leave AUTH out of the EHLO reply until the connection is encrypted. */
  hideAuthBeforeTls: boolean;
}

/** Wraps an smtp-server instance as the package's SmtpListener. */
export function createListener(
  serverOptions: SMTPServerOptions,
  logger: Logger,
  inFlight: InFlight,
  extras: ListenerExtras,
): SmtpListener {
  const server = new EnhancedCodeServer(serverOptions);
  server.greetImmediately = !extras.rejectEarlyTalkers;
  server.hideAuthBeforeTls = extras.hideAuthBeforeTls;
  server.metrics = extras.metrics;
  // Renewed certificate files: smtp-server rebuilds its contexts; new handshakes use them.
  const stopFollowingTls =
    extras.tls !== null && isTlsContextProvider(extras.tls)
      ? extras.tls.subscribe((files) => {
          server.updateSecureContext({ key: files.key, cert: files.cert });
          logger.info('smtp: reloaded TLS certificate');
        })
      : () => {};
  // A failing client socket or TLS handshake must not crash the process: log and go on.
  server.on('error', (error) => logger.warn({ err: error }, 'smtp server error'));
  let closing: Promise<void> | null = null;

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        server.server.once('error', onError);
        server.listen(port, host, () => {
          server.server.off('error', onError);
          resolve((server.server.address() as AddressInfo).port);
        });
      });
    },
    close() {
      closing ??= (async () => {
        stopFollowingTls();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all(
          [...server.connections].map(async (connection) => {
            // A transaction in DATA gets to receive, commit and answer first; idle ones go now.
            await inFlight.settled(connection.id, CLOSE_GRACE_MS);
            // RFC 5321 3.8: 421 tells the client to come back later; no accepted message is lost.
            connection.send(421, '4.3.2 Service shutting down');
            connection.close();
          }),
        );
        await stopped;
      })();
      return closing;
    },
  };
}
