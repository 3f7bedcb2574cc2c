/**
 * Writes a Maildir++ tree Dovecot can serve as it is: the inbox at the root, `.Folder` directories
 * (each with the `maildirfolder` marker), every message in `cur/` named
 * `<date>.M<uid>.minimail,S=<size>,W=<crlf size>:2,<flags>` (Dovecot reads S= and W= instead of
 * stat-ing or counting), keywords in each folder's `dovecot-keywords`, subscriptions in
 * `subscriptions`, and the file mtime set to the internal date (Dovecot's INTERNALDATE).
 * Files are written to tmp/ and renamed into cur/, the Maildir way, so a reader never sees half.
 */
import { mkdir, rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { maildirInfoFromFlags, serializeDovecotKeywords } from './flags.js';
import { toLf } from './line-endings.js';
import { maildirFolderOfMailboxName } from './maildir-names.js';
import { encodeMutf7 } from './mutf7.js';
import type { MailboxSink } from './types.js';

export function maildirSink(
  root: string,
  onDropped?: (folder: string, keywords: string[]) => void,
): MailboxSink {
  const folders = new Map<string, { dir: string; keywords: string[]; keywordCount: number }>();
  const subscriptions: string[] = [];
  return {
    async openFolder(folder, subscribed) {
      const dir = folder === 'INBOX' ? root : path.join(root, maildirFolderOfMailboxName(folder));
      for (const sub of ['cur', 'new', 'tmp'])
        await mkdir(path.join(dir, sub), { recursive: true, mode: 0o700 });
      if (folder !== 'INBOX') await writeFile(path.join(dir, 'maildirfolder'), '', { mode: 0o600 });
      folders.set(folder, { dir, keywords: [], keywordCount: 0 });
      if (subscribed) subscriptions.push(folder);
    },
    async write(folder, message) {
      const state = folders.get(folder);
      if (!state) throw new Error(`folder not opened: ${folder}`);
      const { info, dropped } = maildirInfoFromFlags(message.flags, state.keywords);
      if (dropped.length > 0) onDropped?.(folder, dropped);
      const data = toLf(message.raw);
      const seconds = Math.floor(message.internalDate.getTime() / 1000);
      const name = `${seconds}.M${message.uid}.minimail,S=${data.length},W=${message.raw.length}`;
      const tmp = path.join(state.dir, 'tmp', name);
      await writeFile(tmp, data, { mode: 0o600 });
      await utimes(tmp, message.internalDate, message.internalDate);
      await rename(tmp, path.join(state.dir, 'cur', `${name}:2,${info}`));
      if (state.keywords.length !== state.keywordCount) {
        state.keywordCount = state.keywords.length;
        await writeFile(path.join(state.dir, 'dovecot-keywords'), serializeDovecotKeywords(state.keywords), {
          mode: 0o600,
        });
      }
    },
    async close() {
      // Dovecot 2.3's subscriptions file: a version line, then one name per line, modified UTF-7,
      // with the hierarchy separator written as a tab.
      const lines = subscriptions
        .filter((name) => name !== 'INBOX')
        .map((name) =>
          name
            .split('/')
            .map((part) => encodeMutf7(part))
            .join('\t'),
        );
      await writeFile(path.join(root, 'subscriptions'), `V\t2\n\n${lines.map((l) => `${l}\n`).join('')}`, {
        mode: 0o600,
      });
    },
  };
}
