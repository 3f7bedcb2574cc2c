/**
 * Issue 20: many connections in IDLE cost little each. The clients run in a process of their own
 * (test-support/idle-clients-child.mjs), so the heap measured here is the server's: what N more
 * sessions, each logged in with INBOX (ten messages) selected and in IDLE, add after a full GC.
 * The bound has a wide margin over what was measured (docs/benchmarks.md "IDLE, round three").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/harness.js';

const CHILD = fileURLToPath(new URL('../test-support/idle-clients-child.mjs', import.meta.url));
/** Connections measured (the bench holds 10,000; this keeps the test quick on a loaded machine). */
const CONNECTIONS = Number(process.env['IDLE_TEST_CONNECTIONS'] ?? 2_000);
const USERS = 10;
/**
 * Heap per IDLE session, with margin: measured 7.8 KiB here (8.1 KiB before the lazy logger,
 * extension set and output list of issue 20's round three); the 5 KiB target needs parking.
 */
const MAX_HEAP_PER_SESSION = 11 * 1024;

let h: Harness | null = null;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.stdin?.end();
    if (child.exitCode === null) await once(child, 'exit');
  }
  await h?.close();
  h = null;
});

/** Starts a client process holding `count` IDLE connections; resolves once all are idling. */
async function holdIdle(port: number, count: number): Promise<{ ready: number; failed: number }> {
  const child = spawn(process.execPath, [CHILD, String(port), String(count), String(USERS)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  child.stdout?.setEncoding('utf8');
  for await (const chunk of child.stdout as AsyncIterable<string>) {
    out += chunk;
    const match = /ready (\d+) failed (\d+)/.exec(out);
    if (match) return { ready: Number(match[1]), failed: Number(match[2]) };
  }
  throw new Error(`idle client process ended early: ${out}`);
}

function heapAfterGc(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('IDLE connections are cheap', () => {
  it(`${CONNECTIONS} sessions in IDLE add at most ${MAX_HEAP_PER_SESSION / 1024} KiB of heap each`, async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    h = await startHarness({ maxClients: CONNECTIONS + 200, maxConnectionsPerIp: CONNECTIONS + 200 });
    for (let u = 0; u < USERS; u++)
      for (let m = 0; m < 10; m++)
        await h.deliver(`idle${u}@example.com`, `From: a@example.com\r\nSubject: ${m}\r\n\r\nbody ${m}\r\n`);
    // Warm-up: every user's first session, the statement caches and the watchers exist.
    expect(await holdIdle(h.port, 20)).toEqual({ ready: 20, failed: 0 });
    const before = heapAfterGc(gc);
    expect(await holdIdle(h.port, CONNECTIONS)).toEqual({ ready: CONNECTIONS, failed: 0 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const perSession = (heapAfterGc(gc) - before) / CONNECTIONS;
    console.log(`IDLE heap per session: ${(perSession / 1024).toFixed(2)} KiB`);
    expect(perSession).toBeGreaterThan(0);
    expect(perSession).toBeLessThan(MAX_HEAP_PER_SESSION);
  }, 120_000);
});
