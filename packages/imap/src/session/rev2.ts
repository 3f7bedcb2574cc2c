/**
 * IMAP4rev2 (RFC 9051) on a connection that enabled it (`ENABLE IMAP4rev2`, docs/adr/0030). The
 * server speaks IMAP4rev1 until then, unchanged. What differs once enabled (RFC 9051 Appendix E),
 * and where:
 * - no \Recent anywhere (E: "the \Recent flag ... RECENT response ... RECENT STATUS item ... SEARCH
 *   NEW/OLD/RECENT" are gone): no `* n RECENT` on SELECT or new mail, no \Recent in FETCH FLAGS
 *   (session/mailbox-view.ts), STATUS (RECENT) and SEARCH RECENT/NEW/OLD are BAD (here); the
 *   session claims no message as recent, so an IMAP4rev1 session still sees new mail as \Recent;
 * - SELECT/EXAMINE send no `[UNSEEN n]` (deprecated) and do send `* LIST (...) "/" name`
 *   (9051 6.3.2, commands/select.ts);
 * - SEARCH always answers with ESEARCH (9051 6.4.4: no RETURN means RETURN (ALL), commands/search.ts);
 * - every unsolicited FETCH carries UID (9051 7.5.2, mailbox-view.ts);
 * - mailbox names are UTF-8 both ways, never modified UTF-7 (9051 5.1, commands/mailbox-name.ts);
 * - kept, as the RFC allows a server that also speaks IMAP4rev1: CHECK, LSUB and the RFC822,
 *   RFC822.HEADER and RFC822.TEXT fetch items (deprecated for clients, still answered).
 * Folded-in extensions (NAMESPACE, UNSELECT, UIDPLUS, ESEARCH, SEARCHRES, ENABLE, IDLE, SASL-IR,
 * LIST-EXTENDED, LIST-STATUS, MOVE, LITERAL-, BINARY, SPECIAL-USE, STATUS=SIZE, STATUS DELETED,
 * `[CLOSED]`) are served to every client already.
 */
import { bad } from '../errors.js';
import type { StatusItem } from '../protocol/commands.js';
import type { SearchKey } from '../protocol/search.js';
import type { Extension } from './extensions.js';

interface Enabled {
  has(name: Extension): boolean;
}

export function isRev2(enabled: Enabled): boolean {
  return enabled.has('IMAP4rev2');
}

/** Whether mailbox names go both ways in UTF-8 on this connection (RFC 6855 3, RFC 9051 5.1). */
export function utf8MailboxNames(enabled: Enabled): boolean {
  return enabled.has('UTF8=ACCEPT') || enabled.has('IMAP4rev2');
}

/** RFC 9051 9 search-key has no RECENT, NEW or OLD: BAD once IMAP4rev2 is enabled. */
export function assertRev2SearchKeys(enabled: Enabled, criteria: readonly SearchKey[]): void {
  if (!isRev2(enabled)) return;
  const stack = [...criteria];
  while (stack.length > 0) {
    const key = stack.pop() as SearchKey;
    switch (key.key) {
      case 'RECENT':
      case 'NEW':
      case 'OLD':
        throw bad(`SEARCH ${key.key} does not exist in IMAP4rev2`);
      case 'NOT':
        stack.push(key.operand);
        break;
      case 'OR':
        stack.push(key.left, key.right);
        break;
      case 'AND':
        stack.push(...key.operands);
        break;
      default:
        break;
    }
  }
}

/** RFC 9051 9 status-att has no RECENT: BAD once IMAP4rev2 is enabled (STATUS and LIST-STATUS). */
export function assertRev2StatusItems(enabled: Enabled, items: readonly StatusItem[] | null): void {
  if (items !== null && isRev2(enabled) && items.includes('RECENT'))
    throw bad('STATUS RECENT does not exist in IMAP4rev2');
}
