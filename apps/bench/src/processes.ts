/** Child processes of the bench: start one, wait for its ready line, measure its memory, stop it. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { onAbort } from './cleanup.js';

/** Most file descriptors a bench process asks for: 10,000 idle connections plus headroom. */
export const FD_LIMIT = 20_000;

export interface ChildServer {
  pid: number;
  ports: Record<string, number>;
  output(): string;
  stop(): Promise<void>;
}

/** Characters of a child's output kept for error messages. */
const OUTPUT_TAIL_CHARS = 64 * 1024;

/** The ready line of the bench's own children: `bench-server-ready {"smtp":1234}`. */
function readyLine(output: string): Record<string, number> | null {
  const match = /bench-server-ready (\{.*\})/.exec(output);
  return match ? (JSON.parse(match[1]!) as Record<string, number>) : null;
}

/** A port that was free a moment ago (for servers that take a fixed port from their config). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs `node [nodeArgs] script` with a raised descriptor limit (through bash's ulimit, since Node
 * cannot raise its own) and resolves once it prints `bench-server-ready {ports}`.
 */
export async function startNodeChild(
  script: string,
  env: NodeJS.ProcessEnv,
  nodeArgs: readonly string[] = [],
  readyTimeoutMs = 120_000,
  scriptArgs: readonly string[] = [],
  ready: (output: string) => Record<string, number> | null = readyLine,
): Promise<ChildServer> {
  const command = `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n $(ulimit -Hn); exec "$0" "$@"`;
  const child = spawn('bash', ['-c', command, process.execPath, ...nodeArgs, script, ...scriptArgs], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const forget = onAbort(() => child.kill('SIGKILL'));
  child.once('exit', forget);
  let output = '';
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} not ready:\n${output}`)), readyTimeoutMs);
    let settled = false;
    const onData = (chunk: Buffer): void => {
      // Keep only the tail: a server that logs every session must not grow the bench's memory.
      output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
      const ports = settled ? null : ready(output);
      if (ports) {
        settled = true;
        clearTimeout(timer);
        resolve(ports);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before it was ready:\n${output}`));
    });
  });
  return { pid: child.pid!, ports, output: () => output, stop: () => stopChild(child) };
}

/** SIGTERM, then SIGKILL if it has not exited within the grace period. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Resident memory of a process and all its descendants, in bytes (Linux /proc). */
export function treeRssBytes(rootPid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the command name, which is in parentheses and may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process ended while we listed /proc: it holds no memory any more.
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += processRssBytes(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

export function processRssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Waits until the kernel has written every dirty page to disk (sync(1)). The loads fsync, and an
 * fsync issued while the kernel is still writing back the previous load's files (Postfix's
 * Maildir, minimail's WAL) waits behind that writeback: without this, whichever server runs right
 * after a big write load pays for it.
 */
export function flushDirtyPages(): void {
  execFileSync('sync');
}
