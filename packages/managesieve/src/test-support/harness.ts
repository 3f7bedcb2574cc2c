/** A real store (with its Sieve scripts) in a temp dir and a ManageSieve listener on a loopback port. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevCertificate, type AuthThrottle, type TlsFiles } from '@minimail/protocol';
import { capturingLogger, RawClient } from '@minimail/protocol/testing';
import { openStore, type MailStore, type SieveScriptStore } from '@minimail/store';
import { createManageSieveServer, type ManageSieveListener } from '../index.js';

export interface Harness {
  port: number;
  dir: string;
  store: MailStore;
  /** The store, seen as the Sieve scripts store. */
  scripts: SieveScriptStore;
  tls: TlsFiles;
  listener: ManageSieveListener;
  /** Every log record written. */
  logs: Array<Record<string, unknown>>;
  connect(): Promise<RawClient>;
  close(): Promise<void>;
}

let certificate: Promise<{ dir: string; tls: TlsFiles }> | null = null;
function testCertificate(): Promise<{ dir: string; tls: TlsFiles }> {
  certificate ??= mkdtemp(join(tmpdir(), 'minimail-sieve-cert-')).then(async (dir) => ({
    dir,
    tls: await ensureDevCertificate(dir, 'localhost'),
  }));
  return certificate;
}

export async function startHarness(
  profile: 'dev' | 'production' = 'dev',
  options: { authThrottle?: AuthThrottle } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'minimail-managesieve-'));
  const dbPath = join(dir, 'mail.db');
  const store = openStore({ path: dbPath });
  const scripts: SieveScriptStore = store;
  const { logger, records: logs } = capturingLogger('info');
  const { tls } = await testCertificate();
  const listener = createManageSieveServer({
    store,
    logger,
    hostname: 'localhost',
    profile,
    tls,
    ...options,
  });
  const port = await listener.listen(0, '127.0.0.1');
  const clients: RawClient[] = [];
  return {
    port,
    dir,
    store,
    scripts,
    tls,
    listener,
    logs,
    async connect() {
      const c = await RawClient.connect(port);
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await listener.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const plain = (user: string, password: string): string =>
  Buffer.from(`\0${user}\0${password}`).toString('base64');
