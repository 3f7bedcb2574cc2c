/**
 * Reads a live IMAP account (a copy of the mailbox one is moving away from) with imapflow: every
 * selectable folder, EXAMINEd (read-only: the source is never changed), messages in UID order with
 * flags, INTERNALDATE and the exact source. Resumable: only UIDs above the folder's resume point are
 * fetched, and the point moves as the importer reports each message durably stored.
 */
import { ImapFlow } from 'imapflow';
import { MAILBOX_IO_LIMITS } from './limits.js';
import { toCrlf } from './line-endings.js';
import type { ResumeState, ResumeStore } from './resume-file.js';
import type { SourceItem } from './types.js';

export interface ImapSourceOptions {
  host: string;
  port: number;
  /** Implicit TLS (imaps, port 993). Without it the connection upgrades with STARTTLS when offered. */
  secure: boolean;
  user: string;
  password: string;
  /** Accept a certificate that does not verify (a test server's own). Off by default. */
  insecureTls?: boolean;
  resume: ResumeStore;
  limits?: { maxMessageBytes: number; imapFetchBatch: number; resumeSaveEvery: number };
}

export interface ImapSource {
  items: AsyncIterable<SourceItem>;
  /** Saves the resume point; call after the import has finished (or failed). */
  flush(): Promise<void>;
}

/** The remote folder path as a minimail mailbox name: hierarchy joined with `/`, INBOX spelled so. */
export function mailboxNameOfRemote(path: string, delimiter: string | undefined): string {
  if (path.toUpperCase() === 'INBOX') return 'INBOX';
  return delimiter && delimiter !== '/' ? path.split(delimiter).join('/') : path;
}

export function readImapAccount(options: ImapSourceOptions): ImapSource {
  const limits = options.limits ?? MAILBOX_IO_LIMITS;
  let state: ResumeState | null = null;
  let unsaved = 0;
  const flush = async (): Promise<void> => {
    if (state && unsaved > 0) {
      unsaved = 0;
      await options.resume.save(state);
    }
  };

  async function* items(): AsyncGenerator<SourceItem> {
    state = await options.resume.load();
    const client = new ImapFlow({
      host: options.host,
      port: options.port,
      secure: options.secure,
      auth: { user: options.user, pass: options.password },
      logger: false,
      tls: { rejectUnauthorized: !options.insecureTls },
    });
    await client.connect();
    try {
      const list = (await client.list()).filter(
        (entry) => !entry.flags.has('\\Noselect') && !entry.flags.has('\\NonExistent'),
      );
      list.sort(
        (a, b) =>
          Number(b.path.toUpperCase() === 'INBOX') - Number(a.path.toUpperCase() === 'INBOX') ||
          (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
      );
      for (const entry of list) {
        const folder = mailboxNameOfRemote(entry.path, entry.delimiter);
        yield { kind: 'folder', folder, subscribed: entry.subscribed };
        const lock = await client.getMailboxLock(entry.path, { readOnly: true });
        try {
          const mailbox = client.mailbox;
          if (!mailbox) continue;
          const uidValidity = String(mailbox.uidValidity);
          let point = state.folders[entry.path];
          if (!point || point.uidValidity !== uidValidity) {
            point = { uidValidity, lastUid: 0 };
            state.folders[entry.path] = point;
            unsaved++;
          }
          if (mailbox.exists === 0) continue;
          // Sizes first (a few bytes each), so an oversized message is never downloaded.
          const sizes = await client.fetchAll(
            `${point.lastUid + 1}:*`,
            { uid: true, size: true },
            { uid: true },
          );
          const wanted: number[] = [];
          for (const message of sizes.sort((a, b) => a.uid - b.uid)) {
            if (message.uid <= point.lastUid) continue; // `n:*` always matches the last message
            if ((message.size ?? 0) > limits.maxMessageBytes) {
              yield {
                kind: 'skip',
                folder,
                origin: `${entry.path} uid ${message.uid}`,
                reason: `larger than ${limits.maxMessageBytes} bytes`,
              };
              continue;
            }
            wanted.push(message.uid);
          }
          const here = point;
          for (let i = 0; i < wanted.length; i += limits.imapFetchBatch) {
            const batch = wanted.slice(i, i + limits.imapFetchBatch);
            const fetched = await client.fetchAll(
              batch.join(','),
              { uid: true, flags: true, internalDate: true, source: true },
              { uid: true },
            );
            for (const message of fetched.sort((a, b) => a.uid - b.uid)) {
              if (!message.source) continue;
              const uid = message.uid;
              yield {
                kind: 'message',
                folder,
                raw: toCrlf(message.source),
                flags: [...(message.flags ?? [])].filter((flag) => flag !== '\\Recent'),
                internalDate: new Date(message.internalDate ?? Date.now()),
                origin: `${entry.path} uid ${uid}`,
                done: async () => {
                  if (uid > here.lastUid) here.lastUid = uid;
                  if (++unsaved >= limits.resumeSaveEvery) await flush();
                },
              };
            }
          }
        } finally {
          lock.release();
        }
      }
    } finally {
      await client.logout().catch(() => undefined);
    }
  }

  return { items: items(), flush };
}
