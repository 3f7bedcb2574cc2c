/**
 * End-to-end helpers: run the real `minimail` CLI (the built bin) in a child process against a
 * temporary data dir, on free loopback ports. Turbo builds the app before its tests run.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childPort, type RawClient } from '@minimail/protocol/testing';

export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'minimail.js');

export function tempDataDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'minimail-e2e-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A free port for the CLI child (it takes ports from the environment, where 0 means off), below
 * the kernel's ephemeral range so no other test's client socket can take it before the child binds
 * (@minimail/protocol/testing childPort; listen(0)-and-close raced with hostile.test's floods).
 */
export const freePort = (): Promise<number> => childPort();

/**
 * In the `e2e on postgres` project (vitest.config.ts) every data dir gets its own database in the
 * project's private PostgreSQL cluster, and the CLI runs with MINIMAIL_DATABASE_URL pointing at it.
 */
const POSTGRES_ADMIN_URL = process.env['MINIMAIL_E2E_POSTGRES_ADMIN_URL'];
const POSTGRES_PSQL = process.env['MINIMAIL_E2E_POSTGRES_PSQL'];
const databases = new Map<string, string>();

function databaseFor(dataDir: string): Record<string, string> {
  // The cluster's URL (set by the project's globalSetup) reaches every project's workers; only the
  // `e2e on postgres` project sets MINIMAIL_E2E_ON_POSTGRES, so the other suites stay on SQLite.
  if (process.env['MINIMAIL_E2E_ON_POSTGRES'] !== '1') return {};
  if (POSTGRES_ADMIN_URL === undefined || POSTGRES_PSQL === undefined) return {};
  let url = databases.get(dataDir);
  if (url === undefined) {
    const name = `e2e_${path
      .basename(dataDir)
      .replace(/[^A-Za-z0-9]/g, '_')
      .toLowerCase()}`;
    execFileSync(POSTGRES_PSQL, [POSTGRES_ADMIN_URL, '-qAtc', `CREATE DATABASE "${name}"`]);
    url = POSTGRES_ADMIN_URL.replace(/\/postgres$/, `/${name}`);
    databases.set(dataDir, url);
  }
  return { MINIMAIL_DATABASE_URL: url };
}

/** Env for a CLI run: a private data dir, every listener off unless the test turns it on. */
export function cliEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...databaseFor(dataDir),
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    MINIMAIL_DATA_DIR: dataDir,
    MINIMAIL_LOG_LEVEL: 'info',
    MINIMAIL_SMTP_PORT: '0',
    MINIMAIL_SUBMISSION_PORT: '0',
    MINIMAIL_SUBMISSIONS_PORT: '0',
    MINIMAIL_POP3_PORT: '0',
    MINIMAIL_POP3S_PORT: '0',
    MINIMAIL_IMAP_PORT: '0',
    MINIMAIL_IMAPS_PORT: '0',
    MINIMAIL_HTTP_PORT: '0',
    MINIMAIL_MANAGESIEVE_PORT: '0',
    ...extra,
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export interface RunningServer {
  child: ChildProcess;
  /** Everything the server printed so far (pino JSON lines). */
  output(): string;
  /** Waits until a printed line matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
  /** Kills the server if it is still running (SIGKILL unless told) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `minimail serve` and resolves once it says it is ready. `launcher` runs it under another
 * program (e.g. `['strace', ...]`); the child is then the launcher, not node. `how.command` replaces
 * `node bin/minimail.js` (e.g. `['npx', 'minimail']` in an install test): that child starts the
 * server as its own child, so it runs in a process group of its own and signals go to the group.
 */
export async function startServer(
  args: string[],
  env: NodeJS.ProcessEnv,
  launcher: readonly string[] = [],
  how: { cwd?: string; command?: readonly string[] } = {},
): Promise<RunningServer> {
  const cli = how.command ?? [process.execPath, BIN];
  const [command, ...commandArgs] = [...launcher, ...cli, 'serve', ...args] as [string, ...string[]];
  const group = how.command !== undefined;
  const child = spawn(command, commandArgs, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(how.cwd !== undefined ? { cwd: how.cwd } : {}),
    detached: group,
  });
  const signal = (sig: NodeJS.Signals): void => {
    if (group && child.pid !== undefined) process.kill(-child.pid, sig);
    else child.kill(sig);
  };
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const wake of waiters) wake();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      for (const wake of waiters) wake();
      resolve({ code, signal });
    });
  });
  const server: RunningServer = {
    child,
    output: () => output,
    exited,
    kill: (sig = 'SIGTERM') => signal(sig),
    stop: async (sig = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) signal(sig);
      await exited;
    },
    waitFor: (pattern, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const line = output.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) {
            done();
            resolve(line);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`server exited before ${pattern}:\n${output}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${pattern}:\n${output}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
  };
  try {
    const ready = await server.waitFor(/minimail ready/);
    // In the `e2e on postgres` project, every server must really be on PostgreSQL.
    if (env['MINIMAIL_DATABASE_URL'] !== undefined && !ready.includes('store: postgresql'))
      throw new Error(`server is not on PostgreSQL: ${ready}`);
  } catch (error) {
    // A server that never became ready must not outlive the test that started it.
    if (child.exitCode === null && child.signalCode === null) signal('SIGKILL');
    throw error;
  }
  return server;
}

/**
 * minimail's exact replies in the dev profile the e2e tests run (hostname `localhost`), so that a
 * test asserts the whole line a client sees, not only its code.
 */
export const REPLY = {
  smtpGreeting: '220 localhost ESMTP minimail',
  smtpHelo: '250 localhost Hello [127.0.0.1]',
  smtpMailAccepted: '250 2.1.0 Accepted',
  smtpRcptAccepted: '250 2.1.5 Accepted',
  smtpSendData: '354 End data with <CR><LF>.<CR><LF>',
  smtpDelivered: '250 2.6.0 Message accepted for delivery',
  smtpNoop: '250 2.0.0 OK',
  smtpBye: '221 2.0.0 Bye',
  pop3Greeting: '+OK localhost POP3 server ready',
  pop3SendPass: '+OK send PASS',
  pop3Top: '+OK top of message follows',
} as const;

/** POP3's answer to QUIT after the UPDATE state removed what was deleted (RFC 1939 6). */
export function pop3Bye(messagesLeft: number): string {
  return `+OK bye, ${messagesLeft} messages left`;
}

/** `+OK maildrop locked and ready, N messages (M octets)`: the count, or null for another line. */
export function pop3ReadyCount(line: string): number | null {
  const match = /^\+OK maildrop locked and ready, (\d+) messages \(\d+ octets\)$/.exec(line);
  return match ? Number(match[1]) : null;
}

/**
 * One SMTP transaction over an open RawClient after the greeting: HELO, MAIL, RCPT, DATA, the
 * message (already dot-stuffed, ending in CRLF), each reply checked in full. Resolves once the
 * server acknowledged the message; `onData` runs once the server asked for the data.
 */
export async function sendOneMessage(
  client: RawClient,
  envelope: { from: string; to: string; raw: string },
  onData: () => void = () => {},
): Promise<void> {
  client.send('HELO load.test');
  await client.expect(REPLY.smtpHelo);
  client.send(`MAIL FROM:<${envelope.from}>`);
  await client.expect(REPLY.smtpMailAccepted);
  client.send(`RCPT TO:<${envelope.to}>`);
  await client.expect(REPLY.smtpRcptAccepted);
  client.send('DATA');
  await client.expect(REPLY.smtpSendData);
  onData();
  client.sendRaw(`${envelope.raw}.\r\n`);
  await client.expect(REPLY.smtpDelivered);
}
