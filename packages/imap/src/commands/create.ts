import { MAILBOX_SEPARATOR, type SpecialUse } from '@minimail/store';
import { no } from '../errors.js';
import { mailboxObjectId } from '../object-id.js';
import { atom, responseCode } from '../protocol/compiler.js';
import { AUTHENTICATED } from '../session/state.js';
import { userOf, type CommandSpec } from './types.js';

/**
 * RFC 6154 2: the special uses a created mailbox may be given. \All and \Flagged describe virtual
 * mailboxes (every message, every flagged message) that minimail does not compute, so asking for
 * them is refused with USEATTR, as RFC 6154 3 says for a use the server cannot assign.
 */
const CREATABLE_SPECIAL_USES: ReadonlySet<string> = new Set<SpecialUse>([
  '\\Archive',
  '\\Drafts',
  '\\Junk',
  '\\Sent',
  '\\Trash',
]);

/**
 * RFC 3501 6.3.3: a trailing separator only says the name will have children; parents are created
 * too. RFC 6154 3 CREATE-SPECIAL-USE: `(USE (\Sent))` gives the new mailbox its special use; one
 * that cannot be given is NO [USEATTR] and nothing is created. RFC 8474 4.1: the tagged OK carries
 * the new mailbox's MAILBOXID.
 */
export const createCommand: CommandSpec<'CREATE'> = {
  name: 'CREATE',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    let name = command.args.mailbox;
    while (name.endsWith(MAILBOX_SEPARATOR)) name = name.slice(0, -1);
    if (name.toUpperCase() === 'INBOX') throw no('INBOX already exists', 'ALREADYEXISTS');
    const specialUse = creatableSpecialUse(command.args.specialUse);
    const mailbox = await ctx.store.createMailbox(userOf(ctx).id, name, specialUse);
    return { code: responseCode('MAILBOXID', [atom(mailboxObjectId(mailbox))]), text: 'CREATE completed' };
  },
};

/** The one special use to store, null for none; NO [USEATTR] for anything the store cannot keep. */
function creatableSpecialUse(requested: readonly string[]): SpecialUse | null {
  const uses = [...new Set(requested.map(canonicalUse))];
  if (uses.length === 0) return null;
  // The store keeps one special use per mailbox (as LIST reports it).
  if (uses.length > 1) throw no('A mailbox can have only one special use here', 'USEATTR');
  const use = uses[0] as string;
  if (!CREATABLE_SPECIAL_USES.has(use))
    throw no(`Special use ${use.slice(0, 40)} is not supported`, 'USEATTR');
  return use as SpecialUse;
}

/** Attribute names are case-insensitive (RFC 3501 7.2.2): `\sent` is `\Sent`. */
function canonicalUse(use: string): string {
  const lower = use.toLowerCase();
  for (const known of CREATABLE_SPECIAL_USES) if (known.toLowerCase() === lower) return known;
  return use;
}
