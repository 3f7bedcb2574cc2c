/**
 * CREATE's grammar with RFC 4466 2.2 create parameters and RFC 6154 3 CREATE-SPECIAL-USE:
 *   create        = "CREATE" SP mailbox [create-params]
 *   create-params = SP "(" create-param *(SP create-param) ")"
 *   create-param  = "USE" SP "(" [use-attr *(SP use-attr)] ")"   (the only one minimail knows)
 *   use-attr      = "\All" / "\Archive" / "\Drafts" / "\Flagged" / "\Junk" / "\Sent" / "\Trash"
 *                   / use-attr-ext ("\" atom)
 * Unknown parameters are BAD (RFC 4466 2.2); whether a use-attr can be given is the handler's
 * question (NO [USEATTR]), so any `\atom` parses here.
 */
import { readMailbox } from './args.js';
import type { CommandArgs } from './commands.js';
import type { ArgReader } from './reader.js';
import { isAtomChar } from './syntax.js';

export function readCreateArgs(reader: ArgReader): CommandArgs['CREATE'] {
  reader.space();
  const mailbox = readMailbox(reader);
  if (!reader.trySpace()) return { mailbox, specialUse: [] };
  let specialUse: string[] | null = null;
  reader.readList(() => {
    if (!reader.tryWord('USE')) throw reader.error('Unknown CREATE parameter');
    if (specialUse !== null) throw reader.error('Duplicate CREATE parameter USE');
    reader.space();
    specialUse = reader.readList(() => {
      reader.expect('\\', 'a special-use attribute');
      return `\\${reader.readWhile(isAtomChar, 'a special-use attribute')}`;
    });
  }, false);
  return { mailbox, specialUse: specialUse ?? [] };
}
