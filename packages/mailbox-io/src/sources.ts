/**
 * Picks the reader for a path: a Maildir++ root (has cur/ and new/), a directory of mbox files (as
 * `mboxTreeSink` writes them: `Folder.mbox`, `Parent/Child.mbox`), or one mbox file (into one folder).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MAILBOX_IO_LIMITS } from './limits.js';
import { isMaildir, readMaildir } from './maildir-reader.js';
import { readMboxFile } from './mbox-reader.js';
import type { SourceItem } from './types.js';

export type LocalFormat = 'maildir' | 'mbox-tree' | 'mbox';

export async function detectFormat(location: string): Promise<LocalFormat> {
  const info = await stat(location);
  if (info.isFile()) return 'mbox';
  if (isMaildir(location)) return 'maildir';
  return 'mbox-tree';
}

/** Every `*.mbox` file under `root`, as [folder, file], in folder-name order. */
async function mboxFiles(root: string, prefix = '', depth = 0): Promise<Array<[string, string]>> {
  if (depth > MAILBOX_IO_LIMITS.maxFolderDepth) return [];
  const found: Array<[string, string]> = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) found.push(...(await mboxFiles(full, `${prefix}${entry.name}/`, depth + 1)));
    else if (entry.isFile() && entry.name.endsWith('.mbox'))
      found.push([`${prefix}${entry.name.slice(0, -5)}`, full]);
  }
  return found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export async function* readLocal(
  location: string,
  options: { folder?: string; limits?: { maxMessageBytes: number } } = {},
): AsyncGenerator<SourceItem> {
  const limits = options.limits ?? MAILBOX_IO_LIMITS;
  const format = await detectFormat(location);
  if (format === 'maildir') {
    yield* readMaildir(location, limits);
  } else if (format === 'mbox') {
    const folder = options.folder ?? 'INBOX';
    yield { kind: 'folder', folder, subscribed: true };
    yield* readMboxFile(location, folder, limits);
  } else {
    const files = await mboxFiles(location);
    // INBOX first, then by name: the order a client shows and a fresh store creates them in.
    files.sort(([a], [b]) => Number(b === 'INBOX') - Number(a === 'INBOX'));
    for (const [folder, file] of files) {
      yield { kind: 'folder', folder, subscribed: true };
      yield* readMboxFile(file, folder, limits);
    }
  }
}
