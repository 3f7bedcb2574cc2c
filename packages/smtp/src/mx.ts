import { connectionHooks } from './connection-policy.js';
import { InFlight } from './in-flight.js';
import { createListener } from './listener.js';
import { commonServerOptions, listenerExtras, serviceLimits } from './server-options.js';
import type { SmtpListener, SmtpServiceOptions } from './server-options.js';
import { transactionHooks } from './transaction-hooks.js';

/**
 * The MX listener (port 25, dev 1025): mail from the world to our users. No AUTH (RFC 5321
 * servers receiving for their own domains need none); what it accepts is decided per recipient
 * by envelope-policy: production takes local users, aliases and catch-alls only and never relays;
 * dev takes every address and keeps it local.
 */
export function createMxServer(options: SmtpServiceOptions): SmtpListener {
  const inFlight = new InFlight();
  const { logger } = options;
  const hooks = transactionHooks({
    kind: 'mx',
    store: options.store,
    logger,
    hostname: options.hostname,
    profile: options.profile,
    maxMessageSize: serviceLimits(options).maxMessageSize,
    inFlight,
    metrics: options.metrics,
    inboundAuth: options.inboundAuth ?? null,
  });
  const disabledCommands = ['AUTH'];
  // RFC 3207: STARTTLS only when we have a certificate (never smtp-server's built-in one).
  if (options.tls === null) disabledCommands.push('STARTTLS');
  return createListener(
    {
      ...commonServerOptions(options),
      ...hooks,
      ...connectionHooks(options, hooks.onClose),
      disabledCommands,
      authOptional: true,
    },
    logger,
    inFlight,
    listenerExtras(options, 'mx'),
  );
}
