/**
 * Test harness: a real store on a temp SQLite file and a real IMAP server on 127.0.0.1:0, plus
 * helpers to deliver mail and connect imapflow or a raw client.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { pino } from 'pino';
import { headerTextForSearch, parseMessage, serializeStructure, textForSearch } from '@minimail/mime';
import { ensureDevCertificate, type Logger, type MessageSpool } from '@minimail/protocol';
import { RawClient } from '@minimail/protocol/testing';
import { openStore, type ImapStore, type IndexedBody, type MailStore } from '@minimail/store';
import type { ImapServerLimits } from '../limits.js';
import { createImapServer } from '../server.js';
import { sortKeysOfMessage } from '../sort/stored-keys.js';
import type { ImapListener } from '../options.js';
import type { Profile } from '@minimail/protocol';

export interface Harness {
  dir: string;
  store: MailStore;
  server: ImapListener;
  port: number;
  /** Everything opened through the harness, closed by `close()`. */
  close(): Promise<void>;
  imapflow(
    user?: string,
    options?: { pass?: string; secure?: boolean; extra?: Partial<ImapFlowOptions> },
  ): Promise<ImapFlow>;
  raw(options?: { tls?: boolean }): Promise<RawClient>;
  deliver(
    to: string,
    message: string,
    options?: { mailbox?: string; flags?: string[]; internalDate?: Date },
  ): Promise<number>;
}

export interface HarnessOptions {
  profile?: Profile;
  tls?: boolean;
  implicitTls?: boolean;
  limits?: Partial<ImapServerLimits>;
  /** Defaults to a silent logger. */
  logger?: Logger;
  /** False: bodies are stored without their MIME structure, so the server parses on demand. */
  storeStructures?: boolean;
  /** RFC 7888: false offers LITERAL- alone (see CreateImapServerOptions.literalPlus). */
  literalPlus?: boolean;
  /** Decorates the real store the server uses (e.g. to count calls); the harness keeps the original. */
  wrapStore?: (store: MailStore) => ImapStore;
  /** Where large APPEND literals go (docs/adr/0027); absent: memory, as without the app. */
  spool?: MessageSpool;
  /**
   * The store's full-text index hook (docs/adr/0036), as the app passes it: 'delivery' indexes
   * each delivery (dev profile), 'lazy' keeps the hook for SEARCH only (production). Absent: none.
   */
  searchIndex?: 'delivery' | 'lazy';
  /** The store keeps lean lists of mailboxes with at least this many messages (default 5,000). */
  flagListCacheMinMessages?: number;
  /** Connections the listener holds at once (the default limiter's maxTotal). */
  maxClients?: number;
  /** Connections one address may hold at once (the default limiter's maxPerIp). */
  maxConnectionsPerIp?: number;
}

/**
 * The search part of the app's index hook (@minimail/http's indexBody, which the imap package may
 * not import): the same decoded text and header block; the list facts stay empty.
 */
export function indexBodyForTests(raw: Buffer): IndexedBody {
  const root = parseMessage(raw);
  return {
    from: null,
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    subject: '',
    messageId: '',
    snippet: '',
    attachments: 0,
    text: textForSearch(raw, root),
    headers: headerTextForSearch(raw, root),
  };
}

let certificate: Promise<{ key: string; cert: string }> | null = null;

/** One self-signed certificate for the whole test run (RSA key generation is slow). */
export function testCertificate(): Promise<{ key: string; cert: string }> {
  certificate ??= mkdtemp(join(tmpdir(), 'minimail-imap-cert-')).then((dir) =>
    ensureDevCertificate(dir, 'localhost'),
  );
  return certificate;
}

/** RFC 3501 7.2.1: the capabilities advertised in every state (capabilities.ts), as the wire spells them. */
export const BASE_CAPS =
  'IMAP4rev1 IMAP4rev2 LITERAL+ LITERAL- SASL-IR LOGIN-REFERRALS ID ENABLE IDLE NAMESPACE UNSELECT UIDPLUS MOVE CONDSTORE QRESYNC ESEARCH SEARCHRES WITHIN SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES THREAD=REFS I18NLEVEL=1 SAVEDATE ESORT CONTEXT=SEARCH CONTEXT=SORT CHILDREN LIST-EXTENDED SPECIAL-USE APPENDLIMIT=67108864 LIST-STATUS BINARY PREVIEW SNIPPET=FUZZY PREVIEW=FUZZY MULTIAPPEND CATENATE URL-PARTIAL OBJECTID CREATE-SPECIAL-USE COMPRESS=DEFLATE UTF8=ACCEPT QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE STATUS=SIZE NOTIFY';

/** The greeting where plaintext logins are allowed and STARTTLS is not offered (`dev` without TLS, or implicit TLS). */
export const PLAIN_GREETING = `* OK [CAPABILITY ${BASE_CAPS} AUTH=PLAIN AUTH=LOGIN] imap.test minimail IMAP4rev1 ready`;

export const silentLogger = pino({ level: 'silent' });

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'minimail-imap-'));
  // Like the app (apps/mailserver open-store.ts): the structure is computed once, at delivery.
  const store = openStore({
    path: join(dir, 'minimail.sqlite'),
    changePollIntervalMs: 100,
    ...(options.flagListCacheMinMessages === undefined
      ? {}
      : { flagListCacheMinMessages: options.flagListCacheMinMessages }),
    ...(options.storeStructures === false
      ? {}
      : {
          describeBody: (raw: Buffer) => serializeStructure(parseMessage(raw)),
          // SORT/THREAD keys recorded at delivery (docs/adr/0037).
          sortKeysOf: (raw: Buffer) => sortKeysOfMessage(raw),
        }),
    ...(options.searchIndex === undefined
      ? {}
      : { indexBody: indexBodyForTests, indexAtDelivery: options.searchIndex === 'delivery' }),
  });
  const tls = options.tls || options.implicitTls ? await testCertificate() : null;
  const server = createImapServer({
    store: options.wrapStore ? options.wrapStore(store) : store,
    logger: options.logger ?? silentLogger,
    hostname: 'imap.test',
    profile: options.profile ?? 'dev',
    tls,
    implicitTls: options.implicitTls ?? false,
    ...(options.literalPlus === undefined ? {} : { literalPlus: options.literalPlus }),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.spool ? { spool: options.spool } : {}),
    ...(options.maxClients === undefined ? {} : { maxClients: options.maxClients }),
    ...(options.maxConnectionsPerIp === undefined
      ? {}
      : { maxConnectionsPerIp: options.maxConnectionsPerIp }),
  });
  const port = await server.listen(0, '127.0.0.1');
  const clients: Array<{ close(): Promise<void> | void }> = [];
  return {
    dir,
    store,
    server,
    port,
    async close() {
      for (const client of clients.reverse()) await client.close();
      await server.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
    async imapflow(user = 'alice@example.com', flowOptions = {}) {
      const client = new ImapFlow({
        host: '127.0.0.1',
        port,
        secure: flowOptions.secure ?? options.implicitTls ?? false,
        auth: { user, pass: flowOptions.pass ?? 'secret' },
        logger: false,
        tls: { rejectUnauthorized: false },
        disableAutoIdle: true,
        ...flowOptions.extra,
      });
      await client.connect();
      clients.push({ close: () => closeFlow(client) });
      return client;
    },
    async raw(rawOptions = {}) {
      const client = await RawClient.connect(port, rawOptions);
      clients.push({ close: () => client.close() });
      return client;
    },
    async deliver(to, message, deliverOptions = {}) {
      const user = await store.ensureUser(to);
      const result = await store.deliver({
        raw: Buffer.from(message.replace(/\r?\n/g, '\r\n')),
        targets: [{ userId: user.id, mailbox: deliverOptions.mailbox ?? 'INBOX' }],
        ...(deliverOptions.flags ? { flags: deliverOptions.flags } : {}),
        ...(deliverOptions.internalDate ? { internalDate: deliverOptions.internalDate } : {}),
      });
      return result.copies[0]?.uid ?? 0;
    },
  };
}

async function closeFlow(client: ImapFlow): Promise<void> {
  if (!client.usable) {
    client.close();
    return;
  }
  try {
    await client.logout();
  } catch {
    client.close();
  }
}

/** A small RFC 5322 message. */
export function sampleMessage(subject: string, body = 'Hello there.', extraHeaders = ''): string {
  return [
    'From: Bob Sender <bob@example.org>',
    'To: Alice <alice@example.com>',
    `Subject: ${subject}`,
    'Date: Mon, 7 Feb 1994 21:52:25 -0800',
    'Message-ID: <' + subject.replace(/\W/g, '') + '@example.org>',
    ...(extraHeaders ? [extraHeaders] : []),
    '',
    body,
    '',
  ].join('\r\n');
}

/** Logs in a raw client and reads the greeting. */
export async function rawLogin(client: RawClient, user = 'alice@example.com'): Promise<void> {
  await client.expect(/^\* OK /);
  client.send(`L1 LOGIN ${user} secret`);
  await client.expect(/^L1 OK /);
}
