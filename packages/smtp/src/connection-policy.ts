import type { SMTPServerError, SMTPServerSession } from 'smtp-server';
import { ConnectionLimiter } from '@minimail/protocol';
import type { ProtocolMetrics, ReleaseConnection } from '@minimail/protocol';
import type { Logger } from 'pino';
import { replyError } from './replies.js';
import { serviceLimits, type SmtpServiceOptions } from './server-options.js';

type Callback = (err?: SMTPServerError | null) => void;

export interface ConnectionPolicyContext {
  limiter: ConnectionLimiter;
  logger: Logger;
  metrics: ProtocolMetrics | undefined;
}

/**
 * smtp-server's onConnect/onClose hooks for connection limits (in total and per IP, through the
 * protocol package's ConnectionLimiter, so SMTP counts like POP3 and IMAP) and connection
 * metrics. A refused client gets 421 4.7.0 before any greeting (RFC 5321 3.8).
 */
export function connectionPolicy(context: ConnectionPolicyContext) {
  /** What to undo when a connection closes, by smtp-server connection id. */
  const open = new Map<string, { release: ReleaseConnection; closed: () => void }>();

  const onConnect = (session: SMTPServerSession, callback: Callback): void => {
    const release = context.limiter.tryAcquire(session.remoteAddress);
    if (release === null) {
      context.logger.warn(
        { cid: session.id, remote: session.remoteAddress },
        'smtp connection limit reached',
      );
      context.metrics?.connectionRefused('limit');
      callback(replyError('TOO_MANY_CONNECTIONS'));
      return;
    }
    open.set(session.id, { release, closed: context.metrics?.connectionOpened() ?? noop });
    callback();
  };

  /** Must run for every connection smtp-server closes, accepted or not (it is: see listener). */
  const onClose = (session: SMTPServerSession): void => {
    const entry = open.get(session.id);
    if (entry === undefined) return;
    open.delete(session.id);
    entry.release();
    entry.closed();
  };

  return { onConnect, onClose };
}

const noop = (): void => {};

/**
 * The onConnect/onClose pair a listener passes to smtp-server: connection policy first, then the
 * transaction hooks' own onClose (which logs abandoned transactions).
 */
export function connectionHooks(
  options: SmtpServiceOptions,
  transactionOnClose: (session: SMTPServerSession) => void,
): {
  onConnect: (session: SMTPServerSession, callback: Callback) => void;
  onClose: (session: SMTPServerSession) => void;
} {
  const limits = serviceLimits(options);
  const policy = connectionPolicy({
    limiter:
      options.connectionLimiter ??
      new ConnectionLimiter({ maxTotal: limits.maxClients, maxPerIp: limits.maxConnectionsPerIp }),
    logger: options.logger,
    metrics: options.metrics,
  });
  return {
    onConnect: policy.onConnect,
    onClose: (session) => {
      policy.onClose(session);
      transactionOnClose(session);
    },
  };
}
