/**
 * Writes every mailbox of one user into a sink (Maildir++ or mbox), in UID order, with flags and
 * internal dates. Reads only: an export can run beside a serving minimail. Mailboxes that are only
 * names in the hierarchy (\Noselect) are skipped; their children are written.
 */
import type { ExportStore, MailboxSink } from './types.js';

export interface ExportProgress {
  folder: string;
  written: number;
  total: number;
}

export async function exportMailboxes(
  store: ExportStore,
  userId: number,
  sink: MailboxSink,
  onProgress?: (progress: ExportProgress) => void,
): Promise<{ folders: number; messages: number }> {
  const mailboxes = (await store.listMailboxes(userId))
    .filter((mailbox) => !mailbox.noselect)
    .sort(
      (a, b) =>
        Number(b.name === 'INBOX') - Number(a.name === 'INBOX') ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  let messages = 0;
  try {
    for (const mailbox of mailboxes) {
      await sink.openFolder(mailbox.name, mailbox.subscribed ?? true);
      const list = await store.listMessages(mailbox.id);
      const progress = { folder: mailbox.name, written: 0, total: list.length };
      onProgress?.({ ...progress });
      for (const message of list) {
        const raw = await store.readBody(message.bodyHash);
        await sink.write(mailbox.name, {
          raw,
          flags: message.flags,
          internalDate: message.internalDate,
          uid: message.uid,
        });
        progress.written++;
        messages++;
        onProgress?.({ ...progress });
      }
    }
  } finally {
    await sink.close();
  }
  return { folders: mailboxes.length, messages };
}
