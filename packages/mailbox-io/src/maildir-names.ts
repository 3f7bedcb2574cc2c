/**
 * Maildir++ folder directories (https://www.courier-mta.org/imap/README.maildirquota.html, the
 * layout Dovecot and Courier use): the inbox is the root's cur/new/tmp; every other folder is a
 * directory `.A.B` directly under the root for the mailbox `A/B`, each part modified UTF-7.
 */
import { MAILBOX_IO_LIMITS } from './limits.js';
import { decodeMutf7, encodeMutf7 } from './mutf7.js';

/** The mailbox name for a Maildir++ folder directory (`.Archive.2024` -> `Archive/2024`), or null. */
export function mailboxNameOfMaildirFolder(dir: string): string | null {
  if (!dir.startsWith('.') || dir === '.' || dir === '..') return null;
  const parts = dir.slice(1).split('.');
  if (parts.some((part) => part === '') || parts.length > MAILBOX_IO_LIMITS.maxFolderDepth) return null;
  let name: string;
  try {
    name = parts.map((part) => decodeMutf7(part)).join('/');
  } catch {
    return null;
  }
  if (Buffer.byteLength(name) > MAILBOX_IO_LIMITS.maxFolderNameBytes) return null;
  // Dovecot keeps INBOX's children as `.INBOX.x`; the inbox itself is the root, never `.INBOX`.
  return name.toUpperCase() === 'INBOX' ? null : name;
}

/** The directory for a mailbox (`Archive/2024` -> `.Archive.2024`); `.` inside a part is encoded. */
export function maildirFolderOfMailboxName(name: string): string {
  return `.${name
    .split('/')
    .map((part) => encodeMutf7(part, '.'))
    .join('.')}`;
}
