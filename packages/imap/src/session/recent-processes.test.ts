/**
 * RFC 3501 2.3.2 \Recent across processes (issue 12): two IMAP server processes on one SQLite
 * file (two containers on one volume) share the store's claimed mark, so a new message is
 * \Recent in exactly one session, whichever process that session is on; EXAMINE and STATUS
 * report it without claiming it. Before the mark lived in the store each process kept its own,
 * and a message was \Recent once per process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { RawClient } from '@minimail/protocol/testing';
import { rawLogin, sampleMessage, startHarness, type Harness } from '../test-support/harness.js';

const CHILD_SCRIPT = fileURLToPath(new URL('../test-support/imap-child.mjs', import.meta.url));
const DIST_ENTRY = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

let h: Harness | null = null;
const children: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(DIST_ENTRY))
    throw new Error(
      'build @minimail/imap first (npm run build -w @minimail/imap): the child process imports dist',
    );
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  await h?.close();
  h = null;
});

/** Starts imap-child.mjs on the store file; resolves with its port. */
function startServerProcess(dbPath: string): Promise<number> {
  const child = spawn(process.execPath, [CHILD_SCRIPT, dbPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /port (\d+)/.exec(output);
      if (match?.[1]) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}: ${output}`)));
  });
}

async function client(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port, { timeoutMs: 10_000 });
  await rawLogin(c);
  return c;
}

const recentOf = (lines: string[]): string | undefined => lines.find((line) => / RECENT$/.test(line));
const recentUids = (lines: string[]): number[] =>
  lines
    .filter((line) => line.includes('\\Recent'))
    .map((line) => Number(/UID (\d+)/.exec(line)?.[1] ?? 0))
    .sort((a, b) => a - b);

it('two server processes on one store file: each new message is \\Recent in exactly one session', async () => {
  h = await startHarness();
  const dbPath = join(h.dir, 'minimail.sqlite');
  for (let i = 1; i <= 3; i += 1) await h.deliver('alice@example.com', sampleMessage(`m${i}`));
  const [portA, portB] = await Promise.all([startServerProcess(dbPath), startServerProcess(dbPath)]);
  const a = await client(portA);
  const b = await client(portB);

  // EXAMINE on B reports the three as recent without claiming them (RFC 3501 6.3.2).
  b.send('e EXAMINE INBOX');
  expect(recentOf(await b.readTagged('e'))).toBe('* 3 RECENT');
  // A claims them on SELECT; B, in another process, then sees none as \Recent.
  a.send('s SELECT INBOX');
  expect(recentOf(await a.readTagged('s'))).toBe('* 3 RECENT');
  a.send('f FETCH 1:* (UID FLAGS)');
  expect(recentUids(await a.readTagged('f'))).toEqual([1, 2, 3]);
  b.send('s SELECT INBOX');
  expect(recentOf(await b.readTagged('s'))).toBe('* 0 RECENT');
  b.send('f FETCH 1:* (UID FLAGS)');
  expect(recentUids(await b.readTagged('f'))).toEqual([]);

  // Two more arrive while both sessions have INBOX selected: whichever session hears of each
  // first claims it, and the other never shows it \Recent.
  for (let i = 4; i <= 5; i += 1) await h.deliver('alice@example.com', sampleMessage(`m${i}`));
  const seen = { a: [] as number[], b: [] as number[] };
  for (const [name, c] of [
    ['a', a],
    ['b', b],
  ] as const) {
    // Cross-process news arrives within the poll interval: NOOP until the EXISTS came (wide
    // margin for a loaded machine).
    let heard = false;
    for (let tries = 0; tries < 200 && !heard; tries += 1) {
      c.send(`n${tries} NOOP`);
      heard = (await c.readTagged(`n${tries}`)).some((line) => line === '* 5 EXISTS');
      if (!heard) await sleep(50);
    }
    expect(heard).toBe(true);
    c.send('g UID FETCH 4:5 (UID FLAGS)');
    seen[name] = recentUids(await c.readTagged('g'));
  }
  expect([...seen.a, ...seen.b].sort()).toEqual([4, 5]);

  // A third session (in process B) comes later: nothing is recent for it, and STATUS says so.
  const late = await client(portB);
  late.send('t STATUS INBOX (RECENT MESSAGES)');
  expect(await late.readTagged('t')).toEqual([
    '* STATUS "INBOX" (RECENT 0 MESSAGES 5)',
    't OK STATUS completed',
  ]);
  for (const c of [a, b, late]) await c.close();
});
