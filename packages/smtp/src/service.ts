import type { SMTPServerOptions } from 'smtp-server';
import { processMessageBudget } from '@minimail/protocol';
import { connectionHooks } from './connection-policy.js';
import { InFlight } from './in-flight.js';
import { createListener } from './listener.js';
import { commonServerOptions, listenerExtras, serviceLimits } from './server-options.js';
import type { SmtpListener, SmtpServiceOptions } from './server-options.js';
import { transactionHooks, type ListenerKind } from './transaction-hooks.js';
import { withChaos } from './chaos.js';
import { SmtpRecordings } from './recording.js';

/**
 * One SMTP listener of either kind: the shared smtp-server options, the transaction and
 * connection hooks, and on top `policy`, the AUTH and TLS options that make it an MX
 * (mx.ts) or a submission listener (submission.ts).
 */
export function createService(
  options: SmtpServiceOptions,
  kind: ListenerKind,
  policy: SMTPServerOptions,
): SmtpListener {
  const inFlight = new InFlight();
  const recordings =
    options.recordings === undefined
      ? undefined
      : new SmtpRecordings(options.recordings, kind === 'mx' ? 'smtp' : 'submission', policy.secure === true);
  const hooks = transactionHooks({
    kind,
    store: options.store,
    logger: options.logger,
    hostname: options.hostname,
    profile: options.profile,
    maxMessageSize: serviceLimits(options).maxMessageSize,
    messageBudget: options.messageBudget ?? processMessageBudget,
    spool: options.spool,
    allowAnyHeaderSender: options.allowAnyHeaderSender ?? false,
    ...(options.relayResolver !== undefined ? { relayResolver: options.relayResolver } : {}),
    inFlight,
    metrics: options.metrics,
    // Only the MX runs the checks (transaction-hooks looks at `kind` too).
    inboundAuth: kind === 'mx' ? (options.inboundAuth ?? null) : null,
    sieve: options.sieve ?? null,
    rspamd: kind === 'mx' ? (options.rspamd ?? null) : null,
    recordings,
  });
  return createListener(
    {
      ...commonServerOptions(options),
      // Recording reads smtp-server's command and reply log (recording.ts), and counts commands too.
      ...(recordings === undefined ? {} : { logger: recordings.logger(options.metrics) }),
      // Fault injection (chaos.ts) in front of MAIL, RCPT, DATA and AUTH, when the app asks for it.
      ...(options.chaos ? withChaos(options.chaos, { ...hooks, ...policy }) : { ...hooks, ...policy }),
      // Last: its onClose releases the connection slot and then calls the transaction's onClose.
      ...connectionHooks(options, hooks.onClose),
    },
    options.logger,
    inFlight,
    listenerExtras(options, kind),
  );
}
