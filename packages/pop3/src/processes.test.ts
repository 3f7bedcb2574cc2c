import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '@minimail/protocol/testing';
import { openStore } from '@minimail/store';
import { HOSTNAME, deliver, inboxId, message, startHarness } from './test-support/harness.js';
import type { Harness } from './test-support/harness.js';

const CHILD_SCRIPT = fileURLToPath(new URL('./test-support/pop3-child.mjs', import.meta.url));
const DIST_ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const BOB = 'bob@local.test';

let harness: Harness | null = null;
let child: ChildProcess | null = null;
const clients: RawClient[] = [];

beforeAll(() => {
  if (!existsSync(DIST_ENTRY))
    throw new Error(
      'build @minimail/pop3 first (npx tsc -p tsconfig.build.json): the child process imports dist',
    );
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  child = null;
  await harness?.close();
  harness = null;
});

/** Start pop3-child.mjs on the harness database; resolves with its port. */
async function startChild(dbPath: string): Promise<number> {
  const started = spawn(process.execPath, [CHILD_SCRIPT, dbPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  child = started;
  return new Promise((resolve, reject) => {
    let output = '';
    started.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /port (\d+)/.exec(output);
      if (match?.[1]) resolve(Number(match[1]));
    });
    started.once('exit', (code) => reject(new Error(`child exited early with ${code}: ${output}`)));
  });
}

async function connect(port: number): Promise<RawClient> {
  const client = await RawClient.connect(port, { timeoutMs: 10_000 });
  clients.push(client);
  return client;
}

/** Log in to the child's server (its greeting names child.test). */
async function childLogIn(client: RawClient, messages: number): Promise<void> {
  await client.expect('+OK child.test POP3 server ready');
  client.send(`USER ${BOB}`);
  await client.expect('+OK send PASS');
  client.send('PASS x');
  await client.expect(new RegExp(`^\\+OK maildrop locked and ready, ${messages} messages`));
}

async function killChild(): Promise<void> {
  const running = child;
  if (!running) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  running.kill('SIGKILL');
  await exited;
}

describe('across processes', () => {
  it('a maildrop locked by another process answers [IN-USE]; the lock dies with that process', async () => {
    harness = await startHarness();
    const h = harness;
    const raw = message('one', 'hello\r\n');
    await deliver(h.store, BOB, raw);
    const childPort = await startChild(h.dbPath);

    await childLogIn(await connect(childPort), 1);

    const client = await h.connect();
    await client.expect(`+OK ${HOSTNAME} POP3 server ready`);
    client.send(`USER ${BOB}`);
    await client.expect('+OK send PASS');
    client.send('PASS x');
    await client.expect('-ERR [IN-USE] maildrop is locked by another session');

    // A crash leaves the lock row behind; the store sees its holder is gone and takes it over.
    await killChild();
    client.send(`USER ${BOB}`);
    await client.expect('+OK send PASS');
    client.send('PASS x');
    await client.expect(`+OK maildrop locked and ready, 1 messages (${raw.length} octets)`);
  });

  // Several delays between sending QUIT and the kill, so that some runs land before, during and
  // after the expunge commit; every one must find all marked messages or none of them.
  it.each([0, 3, 15])(
    'SIGKILL %i ms after QUIT leaves all of the marked messages or none of them',
    async (delayMs) => {
      harness = await startHarness();
      const h = harness;
      const count = 150;
      for (let i = 0; i < count; i += 1) await deliver(h.store, BOB, message(`m${i}`, `body ${i}\r\n`));
      const inbox = await inboxId(h.store, BOB);
      const childPort = await startChild(h.dbPath);

      const client = await connect(childPort);
      await childLogIn(client, count);
      client.sendRaw(Array.from({ length: count }, (_, i) => `DELE ${i + 1}\r\n`).join(''));
      for (let i = 1; i <= count; i += 1) await client.expect(`+OK message ${i} deleted`);
      client.send('QUIT');
      if (delayMs > 0) await sleep(delayMs);
      await killChild();

      // A fresh store instance reads what is durable on disk.
      const reopened = await openStore({ path: h.dbPath });
      try {
        const left = (await reopened.listMessages(inbox)).length;
        expect([0, count]).toContain(left);
      } finally {
        await reopened.close();
      }
    },
  );
});
