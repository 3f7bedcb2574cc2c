/**
 * `minimail import` and `minimail export`: the app's side of packages/mailbox-io. It opens the store,
 * picks the reader or writer, keeps the IMAP resume file in the data directory and prints progress;
 * the formats and the duplicate check live in the package.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  exportMailboxes,
  fileResumeStore,
  importMessages,
  maildirSink,
  mboxTreeSink,
  readImapAccount,
  readLocal,
  type ImportProgress,
  type ImportReport,
  type SourceItem,
} from '@minimail/mailbox-io';
import { CliError } from './cli-error.js';
import type { Config } from './config.js';
import { println, type CliIo } from './io.js';
import { withStore } from './commands/with-store.js';

export interface ImportRequest {
  address: string;
  /** A Maildir++ root, an mbox file, a directory of .mbox files, or `imap[s]://user@host[:port]`. */
  location: string;
  /** For one mbox file: the folder to fill (default INBOX). */
  folder?: string;
  /** For IMAP: the remote password (read from stdin by the command). */
  password?: string;
  insecureTls?: boolean;
}

/** Prints a line when a folder starts and every `every` messages in it, on stderr (stdout gets the summary). */
function progressPrinter(io: CliIo, every = 500): (p: ImportProgress) => void {
  const printed = new Map<string, number>();
  return (p) => {
    const count = p.imported + p.existing + p.skipped;
    const last = printed.get(p.folder);
    if (last === undefined || count - last >= every) {
      println(
        io.stderr,
        `${p.folder}: ${p.imported} imported, ${p.existing} already there, ${p.skipped} skipped`,
      );
      printed.set(p.folder, count);
    }
  };
}

function printReport(io: CliIo, report: ImportReport): void {
  for (const problem of report.problems) println(io.stderr, `skipped ${problem.origin}: ${problem.reason}`);
  for (const f of report.folders) {
    println(
      io.stdout,
      `${f.folder}\t${f.imported} imported\t${f.existing} already there\t${f.skipped} skipped`,
    );
  }
}

function parseImapUrl(location: string): { secure: boolean; host: string; port: number; user: string } {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new CliError(`not a URL: ${location}`, 2);
  }
  const secure = url.protocol === 'imaps:';
  if (!url.username) throw new CliError('the IMAP URL needs a user name: imap://USER@HOST[:PORT]', 2);
  if (url.password)
    throw new CliError('put no password in the URL (it shows in `ps`): use --password-stdin', 2);
  return {
    secure,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 993 : 143,
    user: decodeURIComponent(url.username),
  };
}

export async function runImport(config: Config, io: CliIo, request: ImportRequest): Promise<void> {
  const isImap = /^imaps?:\/\//i.test(request.location);
  if (!isImap && !existsSync(request.location))
    throw new CliError(`no such file or directory: ${request.location}`);
  await withStore(config, async (store) => {
    const user = await store.getUser(request.address);
    if (!user) throw new CliError(`no such user: ${request.address}`);
    const onProgress = progressPrinter(io);
    if (!isImap) {
      const source = readLocal(request.location, request.folder ? { folder: request.folder } : {});
      printReport(io, await importMessages(store, user.id, source, { onProgress }));
      return;
    }
    const remote = parseImapUrl(request.location);
    if (request.password === undefined) throw new CliError('an IMAP import needs --password-stdin', 2);
    // One resume file per (local user, remote account), in the data dir with the rest of the state.
    const resumeFile = path.join(
      config.dataDir,
      'imports',
      user.address,
      `${remote.user}@${remote.host}_${remote.port}.json`.replace(/[/\\]/g, '_'),
    );
    const source = readImapAccount({
      ...remote,
      password: request.password,
      insecureTls: request.insecureTls === true,
      resume: fileResumeStore(resumeFile),
    });
    try {
      printReport(
        io,
        await importMessages(store, user.id, source.items as AsyncIterable<SourceItem>, { onProgress }),
      );
    } finally {
      await source.flush();
    }
  });
}

export async function runExport(
  config: Config,
  io: CliIo,
  request: { address: string; location: string; format: 'maildir' | 'mbox' },
): Promise<void> {
  if (existsSync(request.location) && readdirSync(request.location).length > 0) {
    throw new CliError(`${request.location} is not empty: export into a new or empty directory`);
  }
  await withStore(config, async (store) => {
    const user = await store.getUser(request.address);
    if (!user) throw new CliError(`no such user: ${request.address}`);
    const sink =
      request.format === 'maildir'
        ? maildirSink(request.location, (folder, dropped) =>
            println(io.stderr, `${folder}: keywords past Maildir's 26 not written: ${dropped.join(' ')}`),
          )
        : mboxTreeSink(request.location);
    let lastFolder = '';
    const result = await exportMailboxes(store, user.id, sink, (p) => {
      if (p.folder !== lastFolder) println(io.stderr, `${p.folder}: ${p.total} messages`);
      lastFolder = p.folder;
    });
    println(
      io.stdout,
      `exported ${result.messages} messages in ${result.folders} folders to ${request.location}`,
    );
  });
}
