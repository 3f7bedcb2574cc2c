import type {
  SMTPServerAuthentication,
  SMTPServerAuthenticationResponse,
  SMTPServerError,
  SMTPServerSession,
} from 'smtp-server';
import type { Logger } from 'pino';
import type { MailStore, User } from '@minimail/store';
import type { AuthThrottle, ProtocolMetrics } from '@minimail/protocol';
import type { Profile } from './envelope-policy.js';
import { replyError, replyText, REPLIES } from './replies.js';
import type { AuthenticatedUser } from './session-user.js';

export interface AuthContext {
  store: MailStore;
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
 * RFC 4954 AUTH for submission (PLAIN and LOGIN; smtp-server decodes the SASL exchange).
 * Production checks the password and throttles failures per IP and account; dev accepts any
 * password and creates the account on first login. The password is never logged.
 */
export function submissionAuth(context: AuthContext) {
  return (auth: SMTPServerAuthentication, session: SMTPServerSession, callback: AuthCallback): void => {
    const username = (auth.username ?? '').trim().toLowerCase();
    const password = auth.password ?? '';
    authenticate(context, username, password, session.remoteAddress).then(
      (outcome) => {
        context.logger.info(
          { cid: session.id, user: username, method: auth.method, result: outcome.kind },
          'smtp auth',
        );
        if (outcome.kind === 'ok') {
          const user: AuthenticatedUser = { id: outcome.user.id, address: outcome.user.address };
          callback(null, { user });
        } else if (outcome.kind === 'failed') {
          context.metrics?.authFailure();
          callback(null, { message: replyText('AUTH_FAILED'), responseCode: REPLIES.AUTH_FAILED.code });
        } else {
          context.logger.error({ cid: session.id, err: outcome.error }, 'smtp auth: store failure');
          callback(replyError('AUTH_TEMPORARY'));
        }
      },
      (error: unknown) => {
        context.logger.error({ cid: session.id, err: error }, 'smtp auth: unexpected failure');
        callback(replyError('AUTH_TEMPORARY'));
      },
    );
  };
}

type AuthOutcome = { kind: 'ok'; user: User } | { kind: 'failed' } | { kind: 'temporary'; error: unknown };

async function authenticate(
  context: AuthContext,
  username: string,
  password: string,
  ip: string,
): Promise<AuthOutcome> {
  const { store, throttle } = context;
  // A login name that is not an address can never succeed; refuse it without asking the store,
  // so that any store error afterwards really is the store's problem (454, not 535).
  if (!LOGIN_ADDRESS.test(username)) {
    if (context.profile === 'production') throttle.recordFailure(ip, username);
    return { kind: 'failed' };
  }
  if (context.profile === 'dev') {
    // Dev: any password for any address; the login creates the account.
    try {
      return { kind: 'ok', user: await store.ensureUser(username) };
    } catch (error) {
      return { kind: 'temporary', error };
    }
  }
  // Wait before checking, not only after failing, so parallel guesses are slowed down too.
  const delay = throttle.delayFor(ip, username);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  let user: User | null;
  try {
    user = await store.verifyPassword(username, password);
  } catch (error) {
    return { kind: 'temporary', error };
  }
  if (user === null) {
    throttle.recordFailure(ip, username);
    return { kind: 'failed' };
  }
  throttle.recordSuccess(ip, username);
  return { kind: 'ok', user };
}

/** One @, non-empty local part and domain, no spaces or control characters. */
const LOGIN_ADDRESS = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+$/u;
