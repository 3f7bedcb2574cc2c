import { StoreError } from '@minimail/store';
import type { AccountStore, User } from '@minimail/store';
import type { CommandContext } from './commands/types.js';
import { Maildrop } from './maildrop.js';
import { BodyReadAhead } from './read-ahead.js';
import { REPLIES, RESPONSE_CODES, err } from './replies.js';

/** POP3 serves INBOX (RFC 1939 has one maildrop per user). */
const MAILDROP_MAILBOX = 'INBOX';

/**
 * The credential check the login policy runs. Dev profile: any password for any address, and the
 * login creates the account (the product brief). Production: the stored scrypt hash decides.
 * Null means "not accepted"; store trouble is thrown.
 */
export function pop3CredentialCheck(store: AccountStore, profile: 'dev' | 'production') {
  return async (address: string, password: string): Promise<User | null> => {
    if (profile === 'production') return store.verifyPassword(address, password);
    try {
      return await store.ensureUser(address);
    } catch (error) {
      // Not an address the store can hold (e.g. no domain): a failed login, not a server fault.
      if (error instanceof StoreError && error.code === 'INVALID') return null;
      throw error;
    }
  };
}

/**
 * The end of USER/PASS and AUTH alike: the login policy (throttle delay before the password is
 * looked at, for a right and a wrong one alike), then lock the maildrop (RFC 1939 8), take the
 * snapshot and enter the TRANSACTION state. Sends exactly one reply.
 */
export async function logIn(ctx: CommandContext, address: string, password: string): Promise<void> {
  const { login, store } = ctx.services;
  const outcome = await login.attempt({ username: address, password, ip: ctx.remoteIp, logger: ctx.logger });
  if (outcome.kind === 'temporary') {
    await ctx.reply(REPLIES.loginUnavailable);
    return;
  }
  if (outcome.kind === 'failed') {
    if (ctx.countAuthFailure()) {
      await ctx.reply(REPLIES.tooManyAuthFailures);
      ctx.close();
      return;
    }
    await ctx.reply(REPLIES.loginFailed);
    return;
  }
  const { user } = outcome;

  // RFC 1939 8 and RFC 2449 8.1.1: one session per maildrop; a second one gets [IN-USE].
  if (!(await store.lockMaildrop(user.id, ctx.cid))) {
    ctx.logger.info({ user: user.address }, 'pop3 maildrop in use');
    await ctx.reply(REPLIES.maildropInUse);
    return;
  }
  let maildrop: Maildrop;
  try {
    const inbox = await store.getMailbox(user.id, MAILDROP_MAILBOX);
    if (!inbox) throw new StoreError('NOT_FOUND', `user ${user.address} has no ${MAILDROP_MAILBOX}`);
    // RFC 1939 8: the numbering is fixed at login; mail arriving later waits for the next session.
    maildrop = new Maildrop(inbox.id, inbox.uidValidity, await store.listMessages(inbox.id));
  } catch (error) {
    await store.unlockMaildrop(user.id, ctx.cid);
    ctx.logger.error({ err: error, user: user.address }, 'pop3 could not open maildrop');
    await ctx.reply(err('cannot open maildrop, try again later', RESPONSE_CODES.SYS_TEMP));
    return;
  }
  ctx.setState({ kind: 'transaction', user, maildrop, readAhead: new BodyReadAhead(store, ctx.logger) });
  ctx.logger.info({ user: user.address }, 'pop3 login');
  const { count, octets } = maildrop.stat();
  await ctx.reply(REPLIES.loggedIn(count, octets));
}
