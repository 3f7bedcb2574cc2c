/**
 * Reads a Maildir++ tree: the inbox at the root, every `.Folder` beside it, each message a file in
 * `cur/` (with an info part carrying flags) or `new/` (unseen by any client, no flags). The internal
 * date is the file's mtime, which Dovecot sets to the IMAP INTERNALDATE when it saves a message;
 * messages come in Dovecot's UID order when the folder has a `dovecot-uidlist`, else by file name
 * (whose first part is the delivery time).
 */
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { flagsFromMaildirInfo, parseDovecotKeywords } from './flags.js';
import { MAILBOX_IO_LIMITS } from './limits.js';
import { toCrlf } from './line-endings.js';
import { mailboxNameOfMaildirFolder } from './maildir-names.js';
import { decodeMutf7 } from './mutf7.js';
import type { SourceItem } from './types.js';

export function isMaildir(dir: string): boolean {
  return ['cur', 'new'].every((sub) => existsSync(path.join(dir, sub)));
}

/** The part of a Maildir file name before its info (`:2,...`): Dovecot's key in dovecot-uidlist. */
function baseName(file: string): string {
  const colon = file.indexOf(':');
  return colon < 0 ? file : file.slice(0, colon);
}

/** dovecot-uidlist: a header line, then `UID [ext...] :basename` per message. Returns base -> UID. */
export function parseDovecotUidlist(text: string): Map<string, number> {
  const uids = new Map<string, number>();
  const lines = text.split('\n');
  for (const line of lines.slice(1)) {
    const match = /^(\d+)\s.*?:(.+)$/.exec(line) ?? /^(\d+) (\S+)$/.exec(line);
    if (match) uids.set(match[2]!, Number(match[1]));
  }
  return uids;
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Dovecot's `subscriptions` file: since 2.2 a `V\t2` line, an empty line, then one name per line
 * with the hierarchy separator written as a tab; older files have no version line and use the
 * layout's own separator (`.` for Maildir++). Names are modified UTF-7, as Dovecot 2.3 writes them.
 */
export function parseSubscriptions(text: string): Set<string> {
  const lines = text.split('\n');
  const versioned = /^V\t\d+$/.test(lines[0] ?? '');
  return new Set(
    (versioned ? lines.slice(1) : lines)
      .filter((line) => line !== '')
      .map((line) => (versioned ? line.split('\t') : line.split('.')).map(decodeOrKeep).join('/')),
  );
}

function decodeOrKeep(part: string): string {
  try {
    return decodeMutf7(part);
  } catch {
    return part;
  }
}

/** The folders of a Maildir++ root, inbox first, then by name; with their subscription state. */
export async function listMaildirFolders(root: string): Promise<Array<{ name: string; dir: string }>> {
  const folders = [{ name: 'INBOX', dir: root }];
  const entries = await readdir(root, { withFileTypes: true });
  const named: Array<{ name: string; dir: string }> = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const name = mailboxNameOfMaildirFolder(entry.name);
    if (name !== null && isMaildir(path.join(root, entry.name)))
      named.push({ name, dir: path.join(root, entry.name) });
  }
  named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...folders, ...named];
}

export async function* readMaildir(
  root: string,
  limits: { maxMessageBytes: number } = MAILBOX_IO_LIMITS,
): AsyncGenerator<SourceItem> {
  const subscribed = parseSubscriptions((await readOptional(path.join(root, 'subscriptions'))) ?? '');
  for (const { name, dir } of await listMaildirFolders(root)) {
    yield { kind: 'folder', folder: name, subscribed: name === 'INBOX' || subscribed.has(name) };
    const keywords = parseDovecotKeywords((await readOptional(path.join(dir, 'dovecot-keywords'))) ?? '');
    const uidlist = parseDovecotUidlist((await readOptional(path.join(dir, 'dovecot-uidlist'))) ?? '');
    const files: Array<{ file: string; sub: 'cur' | 'new' }> = [];
    for (const sub of ['cur', 'new'] as const) {
      for (const file of await readdir(path.join(dir, sub)))
        if (!file.startsWith('.')) files.push({ file, sub });
    }
    const order = (file: string): number => uidlist.get(baseName(file)) ?? Number.MAX_SAFE_INTEGER;
    files.sort((a, b) => order(a.file) - order(b.file) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    for (const { file, sub } of files) {
      const full = path.join(dir, sub, file);
      const info = await stat(full);
      if (!info.isFile()) continue;
      if (info.size > limits.maxMessageBytes) {
        yield {
          kind: 'skip',
          folder: name,
          origin: full,
          reason: `larger than ${limits.maxMessageBytes} bytes`,
        };
        continue;
      }
      const raw = toCrlf(await readFile(full));
      if (raw.length > limits.maxMessageBytes) {
        yield {
          kind: 'skip',
          folder: name,
          origin: full,
          reason: `larger than ${limits.maxMessageBytes} bytes`,
        };
        continue;
      }
      const infoPart = sub === 'cur' && file.includes(':2,') ? file.slice(file.indexOf(':2,') + 3) : '';
      yield {
        kind: 'message',
        folder: name,
        raw,
        flags: flagsFromMaildirInfo(infoPart, keywords),
        // Whole seconds: Maildir mtimes and IMAP INTERNALDATE (RFC 3501 date-time) both have no more.
        internalDate: new Date(Math.floor(info.mtimeMs / 1000) * 1000),
        origin: full,
      };
    }
  }
}
