import { AuthThrottle } from '@minimail/protocol';
import type { SmtpListener, SmtpServiceOptions } from './server-options.js';
import { createService } from './service.js';
import { submissionAuth } from './submission-auth.js';

/** RFC 4954 mechanisms offered; both carry a password, hence TLS first in production. */
const AUTH_METHODS = ['PLAIN', 'LOGIN'];

/**
 * The submission listener (RFC 6409): port 587 with STARTTLS, or 465 with implicit TLS
 * (RFC 8314). MAIL, RCPT and DATA need AUTH (530 5.7.0 before it). Production allows AUTH only
 * over TLS and throttles failed logins; dev accepts any password (the login creates the account).
 */
export function createSubmissionServer(options: SmtpServiceOptions & { implicitTls: boolean }): SmtpListener {
  if (options.tls === null && (options.implicitTls || options.profile === 'production')) {
    // Refuse to start rather than send passwords in clear or fall back to a published test key.
    throw new Error('submission needs a TLS certificate (implicit TLS, or STARTTLS in production)');
  }
  const onAuth = submissionAuth({
    store: options.store,
    logger: options.logger,
    profile: options.profile,
    // One throttle for the whole process when the app passes it, so 587 and 465 count together.
    throttle: options.authThrottle ?? new AuthThrottle(),
    metrics: options.metrics,
  });
  return createService(options, 'submission', {
    onAuth,
    authMethods: AUTH_METHODS,
    // RFC 4954 4 / RFC 8314: in production credentials travel only inside TLS (538 otherwise).
    allowInsecureAuth: options.profile === 'dev',
    secure: options.implicitTls,
    disabledCommands: options.tls === null ? ['STARTTLS'] : [],
  });
}
