import type { Chaos } from '../chaos.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@minimail/protocol';
import { openStore } from '@minimail/store';
import type { SieveScriptStore } from '@minimail/store';
import type { MailStore } from '@minimail/store';
import { createMxServer, createSubmissionServer } from '../index.js';
import type { SmtpListener, SmtpServiceOptions } from '../index.js';
import type { InboundAuthOptions } from '../inbound-auth/index.js';
import { testCertificate } from './tls-cert.js';
import type { Profile } from '@minimail/protocol';

export const HOSTNAME = 'mx.test';

export interface HarnessOptions {
  profile: Profile;
  service: 'mx' | 'submission' | 'submissions';
  withTls?: boolean;
  maxMessageSize?: number;
  maxRecipients?: number;
  inboundAuth?: InboundAuthOptions;
  /** Any further service option (a shared throttle, policies under test). */
  serviceOptions?: Partial<SmtpServiceOptions>;
  /** Run Sieve at delivery, with this clock (ms); the harness's `scripts` then holds the scripts. */
  sieve?: { now?: () => number };
  /** Rspamd's normal worker and controller (MX spam checks). */
  rspamd?: { url: string; controllerUrl?: string; timeoutMs?: number };
  chaos?: Chaos;
}

/** A real store in a temp dir, one listener on an ephemeral loopback port, and captured logs. */
export interface Harness {
  port: number;
  store: MailStore;
  dbPath: string;
  /** Every log record written, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Every raw log line, to prove what is never logged. */
  rawLogs: string[];
  listener: SmtpListener;
  /** The store as the Sieve scripts store (only with `sieve`). */
  scripts: SieveScriptStore | null;
  /** Opens a second store on the same file (e.g. to look after the first was closed). */
  reopenStore(): MailStore;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'minimail-smtp-'));
  const dbPath = join(dir, 'minimail.sqlite');
  const store = openStore({ path: dbPath });
  const logs: Array<Record<string, unknown>> = [];
  const rawLogs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = chunk.toString('utf8');
      rawLogs.push(line);
      logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  // The app's logger, with its redaction: what the tests read is what an operator would.
  const logger = createLogger({ level: 'info', destination: sink });
  const tls = options.withTls === true || options.service === 'submissions' ? await testCertificate() : null;
  const common = {
    store,
    logger,
    hostname: HOSTNAME,
    profile: options.profile,
    tls,
    ...(options.maxMessageSize !== undefined ? { maxMessageSize: options.maxMessageSize } : {}),
    ...(options.maxRecipients !== undefined ? { maxRecipients: options.maxRecipients } : {}),
    ...(options.inboundAuth !== undefined ? { inboundAuth: options.inboundAuth } : {}),
    ...options.serviceOptions,
    ...(options.chaos !== undefined ? { chaos: options.chaos } : {}),
  };
  if (options.rspamd) Object.assign(common, { rspamd: { ...options.rspamd, logger } });
  const scripts: SieveScriptStore | null = options.sieve ? store : null;
  if (scripts && options.sieve) {
    Object.assign(common, {
      sieve: {
        scripts,
        hostname: HOSTNAME,
        logger,
        ...(options.sieve.now ? { now: options.sieve.now } : {}),
      },
    });
  }
  const listener =
    options.service === 'mx'
      ? createMxServer(common)
      : createSubmissionServer({ ...common, implicitTls: options.service === 'submissions' });
  const port = await listener.listen(0, '127.0.0.1');
  const extraStores: MailStore[] = [];
  return {
    port,
    store,
    dbPath,
    logs,
    rawLogs,
    listener,
    scripts,
    reopenStore() {
      const reopened = openStore({ path: dbPath });
      extraStores.push(reopened);
      return reopened;
    },
    async close() {
      await listener.close();
      for (const extra of extraStores) await extra.close().catch(() => undefined);
      await store.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The stored INBOX messages of one address, bodies included, in UID order. */
export async function inbox(store: MailStore, address: string): Promise<Buffer[]> {
  const user = await store.getUser(address);
  if (user === null) return [];
  const mailbox = await store.getMailbox(user.id, 'INBOX');
  if (mailbox === null) return [];
  const messages = await store.listMessages(mailbox.id);
  return Promise.all(messages.map((message) => store.readBody(message.bodyHash)));
}

/** Every stored message of every user, for "nothing was stored" checks. */
export async function countAllMessages(store: MailStore): Promise<number> {
  let total = 0;
  for (const user of await store.listUsers()) {
    for (const mailbox of await store.listMailboxes(user.id)) {
      total += (await store.mailboxStatus(mailbox.id)).messages;
    }
  }
  return total;
}

/** Matches our Return-Path + Received trace headers and captures what follows. */
export function traceHeaderPattern(options: {
  from: string;
  helo: string;
  withType: string;
  rcpt: string | null;
}): RegExp {
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const forClause = options.rcpt === null ? '' : `\\r\\n\\tfor <${escape(options.rcpt)}>`;
  return new RegExp(
    `^Return-Path: <${escape(options.from)}>\\r\\n` +
      `Received: from ${escape(options.helo)} \\(\\[127\\.0\\.0\\.1\\]\\)\\r\\n` +
      `\\tby ${escape(HOSTNAME)} with ${options.withType} id [0-9a-z]+${forClause}; ` +
      `(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} \\+0000\\r\\n`,
  );
}

/** Splits a stored message into its trace-header prefix match and the bytes after it. */
export function afterTraceHeaders(stored: Buffer, pattern: RegExp): Buffer {
  const text = stored.toString('latin1');
  const match = pattern.exec(text);
  if (match === null) throw new Error(`trace headers do not match ${pattern}:\n${text.slice(0, 400)}`);
  return stored.subarray(match[0].length);
}
