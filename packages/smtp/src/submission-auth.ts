import type {
  SMTPServerAuthentication,
  SMTPServerAuthenticationResponse,
  SMTPServerError,
  SMTPServerSession,
} from 'smtp-server';
import type { Logger } from 'pino';
import type { SmtpStore, User } from '@minimail/store';
import { LoginPolicy, type AuthThrottle, type ProtocolMetrics } from '@minimail/protocol';
import type { Profile } from './envelope-policy.js';
import { replyError, replyText, REPLIES } from './replies.js';
import type { AuthenticatedUser } from './session-user.js';

export interface AuthContext {
  store: SmtpStore;
  logger: Logger;
  profile: Profile;
  throttle: AuthThrottle;
  metrics?: ProtocolMetrics | undefined;
}

type AuthCallback = (
  err: SMTPServerError | null | undefined,
  response?: SMTPServerAuthenticationResponse,
) => void;

/**
 * RFC 4954 AUTH for submission (PLAIN and LOGIN; smtp-server decodes the SASL exchange), through
 * the protocol package's one login policy (shared with IMAP and POP3): the throttle's delay before
 * the password is looked at, then the check. Production checks the password; dev accepts any
 * password and creates the account on first login. The password is never logged.
 */
export function submissionAuth(context: AuthContext) {
  const policy = new LoginPolicy<User>({
    throttle: context.throttle,
    check: (account, password) =>
      context.profile === 'dev'
        ? context.store.ensureUser(account)
        : context.store.verifyPassword(account, password),
    onFailure: () => context.metrics?.authFailure(),
  });
  return (auth: SMTPServerAuthentication, session: SMTPServerSession, callback: AuthCallback): void => {
    const logger = context.logger.child({ cid: session.id });
    const attempt = {
      username: auth.username ?? '',
      password: auth.password ?? '',
      ip: session.remoteAddress,
      logger,
    };
    policy.attempt(attempt).then(
      (outcome) => {
        logger.info({ user: outcome.account, method: auth.method, result: outcome.kind }, 'smtp auth');
        if (outcome.kind === 'ok') {
          const user: AuthenticatedUser = { id: outcome.user.id, address: outcome.user.address };
          callback(null, { user });
        } else if (outcome.kind === 'failed') {
          callback(null, { message: replyText('AUTH_FAILED'), responseCode: REPLIES.AUTH_FAILED.code });
        } else {
          callback(replyError('AUTH_TEMPORARY'));
        }
      },
      (error: unknown) => {
        logger.error({ err: error }, 'smtp auth: unexpected failure');
        callback(replyError('AUTH_TEMPORARY'));
      },
    );
  };
}
