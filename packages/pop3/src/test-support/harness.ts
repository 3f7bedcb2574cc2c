import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevCertificate } from '@minimail/protocol';
import type { Profile, TlsFiles } from '@minimail/protocol';
import { capturingLogger, RawClient } from '@minimail/protocol/testing';
import { openStore } from '@minimail/store';
import type { MailStore } from '@minimail/store';
import { createPop3Server } from '../index.js';
import type { Pop3Listener } from '../index.js';

export const HOSTNAME = 'pop.test';

export interface HarnessOptions {
  profile?: Profile;
  /** Serve implicit TLS (the 995 listener). */
  implicitTls?: boolean;
  /** Configure a certificate (STLS on the plain listener). Defaults to true. */
  tls?: boolean;
  idleTimeoutMs?: number;
  maxClients?: number;
  /** Server log level; 'debug' includes the transcript. Defaults to 'info'. */
  logLevel?: 'info' | 'debug';
}

export interface Harness {
  port: number;
  store: MailStore;
  dir: string;
  dbPath: string;
  /** Every log record the server wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** A raw client past nothing (the greeting is still unread). */
  connect(options?: { tls?: boolean }): Promise<RawClient>;
  /** Close the listener only (sessions are told and ended); clients stay open to read. */
  closeServer(): Promise<void>;
  /** Close the store under the running server (to show how store failures are answered). */
  closeStore(): Promise<void>;
  /** Close clients, server and store, then open the same database with a new server. */
  restart(): Promise<void>;
  /** Close clients, server and store; remove the directory. */
  close(): Promise<void>;
}

let certificate: Promise<TlsFiles> | null = null;

/** One self-signed certificate per test file (key generation is the slow part). */
export function testCertificate(): Promise<TlsFiles> {
  certificate ??= mkdtemp(join(tmpdir(), 'minimail-pop3-cert-')).then((dir) =>
    ensureDevCertificate(dir, HOSTNAME),
  );
  return certificate;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'minimail-pop3-'));
  const dbPath = join(dir, 'mail.db');
  // One logger for every server of this harness, so records survive restart().
  const { logger, records: logs } = capturingLogger(options.logLevel ?? 'info');
  const tls = options.tls === false ? null : await testCertificate();
  const clients: RawClient[] = [];
  let storeOpen = false;

  const startServer = async (): Promise<{ store: MailStore; server: Pop3Listener; port: number }> => {
    const store = await openStore({ path: dbPath });
    storeOpen = true;
    const server = createPop3Server({
      store,
      logger,
      hostname: HOSTNAME,
      profile: options.profile ?? 'dev',
      tls,
      implicitTls: options.implicitTls ?? false,
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
      ...(options.maxClients === undefined ? {} : { maxClients: options.maxClients }),
    });
    return { store, server, port: await server.listen(0, '127.0.0.1') };
  };
  const stopServer = async (running: { store: MailStore; server: Pop3Listener }): Promise<void> => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await running.server.close();
    if (storeOpen) await running.store.close();
    storeOpen = false;
  };

  let running = await startServer();
  const harness: Harness = {
    port: running.port,
    store: running.store,
    dir,
    dbPath,
    logs,
    connect: async (connectOptions = {}) => {
      const client = await RawClient.connect(harness.port, {
        tls: connectOptions.tls ?? options.implicitTls ?? false,
      });
      clients.push(client);
      return client;
    },
    closeServer: () => running.server.close(),
    closeStore: async () => {
      storeOpen = false;
      await running.store.close();
    },
    restart: async () => {
      await stopServer(running);
      running = await startServer();
      harness.port = running.port;
      harness.store = running.store;
    },
    close: async () => {
      await stopServer(running);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A small message with CRLF line endings, as SMTP would have stored it. */
export function message(subject: string, body: string): Buffer {
  return Buffer.from(
    `From: alice@remote.test\r\nTo: bob@local.test\r\nSubject: ${subject}\r\n\r\n${body}`,
    'utf8',
  );
}

/** Deliver `raw` into the INBOX of `address` (created without a password if missing). */
export async function deliver(store: MailStore, address: string, raw: Buffer): Promise<number> {
  const user = await store.ensureUser(address);
  const result = await store.deliver({ raw, targets: [{ userId: user.id }] });
  const copy = result.copies[0];
  if (!copy) throw new Error('delivery made no copy');
  return copy.uid;
}

/** INBOX id of `address`. */
export async function inboxId(store: MailStore, address: string): Promise<number> {
  const user = await store.getUser(address);
  const inbox = user ? await store.getMailbox(user.id, 'INBOX') : null;
  if (!inbox) throw new Error(`no INBOX for ${address}`);
  return inbox.id;
}

/** Log in with USER/PASS and check the +OK; returns the login reply. */
export async function logIn(client: RawClient, address: string, password = 'any'): Promise<string> {
  await client.expect(`+OK ${HOSTNAME} POP3 server ready`);
  client.send(`USER ${address}`);
  await client.expect('+OK send PASS');
  client.send(`PASS ${password}`);
  return client.expect(/^\+OK maildrop locked and ready, \d+ messages \(\d+ octets\)$/);
}

export const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
