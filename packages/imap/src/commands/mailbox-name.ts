import { encodeMailboxName } from '../protocol/mutf7.js';
import { utf8MailboxNames } from '../session/rev2.js';
import type { CommandContext } from './types.js';

/**
 * A mailbox name as this client reads it: modified UTF-7 (RFC 3501 5.1.3), or UTF-8 once it has
 * enabled UTF8=ACCEPT (RFC 6855 3: the server MUST NOT send modified UTF-7 names then) or
 * IMAP4rev2 (RFC 9051 5.1: mailbox names are UTF-8).
 */
export function mailboxNameOut(ctx: Pick<CommandContext, 'enabled'>, name: string): string {
  return utf8MailboxNames(ctx.enabled) ? name : encodeMailboxName(name);
}
