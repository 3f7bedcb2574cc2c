import type { SmtpListener, SmtpServiceOptions } from './server-options.js';
import { createService } from './service.js';

/**
 * The MX listener (port 25, dev 1025): mail from the world to our users. No AUTH (RFC 5321
 * servers receiving for their own domains need none); what it accepts is decided per recipient
 * by envelope-policy: production takes local users, aliases and catch-alls only and never relays;
 * dev takes every address and keeps it local.
 */
export function createMxServer(options: SmtpServiceOptions): SmtpListener {
  const disabledCommands = ['AUTH'];
  // RFC 3207: STARTTLS only when we have a certificate (never smtp-server's built-in one).
  if (options.tls === null) disabledCommands.push('STARTTLS');
  return createService(options, 'mx', { disabledCommands, authOptional: true });
}
