/**
 * End-to-end support for the web app: a real `minimail serve` (SMTP + HTTP, dev profile, ports
 * chosen by the kernel) on a temp data dir, the store opened beside it to seed mail quickly (as
 * another process would deliver it), and Debian's Chromium driven by playwright-core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childPort } from '@minimail/protocol/testing';
import { indexBody } from '@minimail/http/index-body';
import { openStore, type MailStore } from '@minimail/store';
import { chromium, type BrowserContext } from 'playwright-core';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const BIN = join(ROOT, 'apps', 'mailserver', 'bin', 'minimail.js');
export const CHROMIUM = '/usr/bin/chromium';

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `${CHROMIUM} is not installed (apt-get install -y chromium; .ci/run does)`;
}

export interface Minimail {
  httpUrl: string;
  smtpPort: number;
  dataDir: string;
  /** The same SQLite file, opened as a second process would (deliveries reach the server via its change feed). */
  store: MailStore;
  stop(): Promise<void>;
}

export async function startMinimail(): Promise<Minimail> {
  const dataDir = mkdtempSync(join(tmpdir(), 'minimail-web-'));
  // A port of 0 turns a listener off in minimail's config: ask the kernel for free ones first.
  const ports = { http: await freePort(), smtp: await freePort() };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    MINIMAIL_DATA_DIR: dataDir,
    MINIMAIL_PROFILE: 'dev',
    MINIMAIL_LOG_LEVEL: 'info',
    MINIMAIL_SMTP_PORT: String(ports.smtp),
    MINIMAIL_HTTP_PORT: String(ports.http),
  };
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--services', 'smtp,http'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`minimail did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (!output.includes('minimail ready')) return;
      clearTimeout(timer);
      resolveReady();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', () => reject(new Error(`minimail exited:\n${output}`)));
  });
  const store = openStore({ path: join(dataDir, 'minimail.sqlite'), indexBody });
  return {
    httpUrl: `http://127.0.0.1:${ports.http}`,
    smtpPort: ports.smtp,
    dataDir,
    store,
    async stop() {
      await store.close();
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Below the ephemeral range, so no client socket takes it before the child binds (childPort). */
const freePort = (): Promise<number> => childPort();

/**
 * Chromium as CI has it: headless, no sandbox (root in a container), nothing fetched from outside,
 * a fresh profile directory (Playwright passes it as --user-data-dir).
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'minimail-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Delivers raw mail to recipients in one delivery (one row in the catcher, a copy per recipient). */
export async function deliver(
  store: MailStore,
  to: string[],
  raw: string,
  internalDate?: Date,
): Promise<void> {
  const users = await Promise.all(to.map((address) => store.ensureUser(address)));
  await store.deliver({
    raw: Buffer.from(raw.replace(/\r?\n/g, '\r\n')),
    targets: users.map((user) => ({ userId: user.id })),
    ...(internalDate ? { internalDate } : {}),
  });
}
