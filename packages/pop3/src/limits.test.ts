import { afterEach, describe, expect, it } from 'vitest';
import { HOSTNAME, deliver, inboxId, logIn, message, startHarness } from './test-support/harness.js';
import type { Harness, HarnessOptions } from './test-support/harness.js';

let harness: Harness | null = null;

afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function start(options: HarnessOptions = {}): Promise<Harness> {
  harness = await startHarness(options);
  return harness;
}

const GREETING = `+OK ${HOSTNAME} POP3 server ready`;

describe('limits', () => {
  it('accepts a 255-octet command line (RFC 2449 4)', async () => {
    const h = await start();
    const client = await h.connect();
    await client.expect(GREETING);
    const line = `USER ${'a'.repeat(248)}`;
    expect(Buffer.byteLength(`${line}\r\n`)).toBe(255);
    client.send(line);
    await client.expect('+OK send PASS');
  });

  it('answers a 256-octet command line with -ERR and closes, applying no deletions', async () => {
    const h = await start();
    await deliver(h.store, 'bob@local.test', message('one', 'hello\r\n'));
    const client = await h.connect();
    await logIn(client, 'bob@local.test');
    client.send('DELE 1');
    await client.expect('+OK message 1 deleted');
    const line = `NOOP ${'x'.repeat(249)}`;
    expect(Buffer.byteLength(`${line}\r\n`)).toBe(256);
    client.send(line);
    await client.expect('-ERR command line longer than 255 octets, closing connection');
    await client.closed();
    expect(await h.store.listMessages(await inboxId(h.store, 'bob@local.test'))).toHaveLength(1);
  });

  it('a line far beyond any limit is dropped without being buffered, then the session is closed', async () => {
    const h = await start();
    const client = await h.connect();
    await client.expect(GREETING);
    client.sendRaw(`USER ${'x'.repeat(100_000)}\r\n`);
    await client.expect('-ERR command line longer than 255 octets, closing connection');
    await client.closed();
  });

  it('closes the session on the 10th unknown command; wrong-state commands do not count', async () => {
    const h = await start();
    const client = await h.connect();
    await client.expect(GREETING);
    for (let i = 0; i < 12; i += 1) {
      client.send('STAT');
      await client.expect('-ERR command not valid in this state');
    }
    for (let i = 1; i < 10; i += 1) {
      client.send(`GET /${i} HTTP/1.1`);
      await client.expect('-ERR unknown command');
    }
    client.send('');
    await client.expect('-ERR too many unknown commands, closing connection');
    await client.closed();
  });

  it('ends an idle session without entering UPDATE (RFC 1939 3)', async () => {
    const h = await start({ idleTimeoutMs: 300 });
    await deliver(h.store, 'bob@local.test', message('one', 'hello\r\n'));
    const client = await h.connect();
    await logIn(client, 'bob@local.test');
    client.send('DELE 1');
    await client.expect('+OK message 1 deleted');
    await client.expect('-ERR idle for too long, closing connection', 3_000);
    await client.closed();
    expect(await h.store.listMessages(await inboxId(h.store, 'bob@local.test'))).toHaveLength(1);
    await expect
      .poll(() => h.logs.find((log) => log.msg === 'pop3 session end'))
      .toMatchObject({
        user: 'bob@local.test',
        deleted: 0,
        reason: 'idle',
      });
  });

  it('refuses clients beyond maxClients with -ERR [SYS/TEMP]', async () => {
    const h = await start({ maxClients: 1 });
    const first = await h.connect();
    await first.expect(GREETING);
    const second = await h.connect();
    await second.expect('-ERR [SYS/TEMP] too many connections, try again later');
    await second.closed();
  });

  it('answers pipelined commands in order (RFC 2449 6.6)', async () => {
    const h = await start();
    const raw = message('one', 'hello\r\n');
    await deliver(h.store, 'bob@local.test', raw);
    const client = await h.connect();
    await client.expect(GREETING);
    client.sendRaw('USER bob@local.test\r\nPASS x\r\nSTAT\r\nLIST 1\r\nNOOP\r\nQUIT\r\n');
    await client.expect('+OK send PASS');
    await client.expect(`+OK maildrop locked and ready, 1 messages (${raw.length} octets)`);
    await client.expect(`+OK 1 ${raw.length}`);
    await client.expect(`+OK 1 ${raw.length}`);
    await client.expect('+OK');
    await client.expect('+OK bye, 1 messages left');
    await client.closed();
  });

  it('server close tells waiting sessions and applies no deletions', async () => {
    const h = await start();
    await deliver(h.store, 'bob@local.test', message('one', 'hello\r\n'));
    const client = await h.connect();
    await logIn(client, 'bob@local.test');
    client.send('DELE 1');
    await client.expect('+OK message 1 deleted');
    await h.closeServer();
    await client.expect('-ERR [SYS/TEMP] server shutting down');
    await client.closed();
    expect(await h.store.listMessages(await inboxId(h.store, 'bob@local.test'))).toHaveLength(1);
    // The lock was released before close() resolved.
    const user = await h.store.getUser('bob@local.test');
    expect(await h.store.lockMaildrop(user?.id ?? 0, 'probe')).toBe(true);
  });

  it('streams a large message exactly, dot-stuffed across chunk boundaries', async () => {
    const h = await start();
    // 3 MiB of lines, many starting with a dot, so stuffing happens in every 64 KiB chunk.
    const line = '.a line that starts with a dot and is long enough to matter here............\r\n';
    const body = line.repeat(Math.ceil((3 * 1024 * 1024) / line.length));
    const raw = message('big', body);
    await deliver(h.store, 'bob@local.test', raw);
    const client = await h.connect();
    await logIn(client, 'bob@local.test');
    client.send('RETR 1');
    await client.expect(`+OK ${raw.length} octets`);
    const lines = await client.readMultiline(20_000);
    const unstuffed = lines.map((l) => (l.startsWith('.') ? l.slice(1) : l)).join('\r\n') + '\r\n';
    expect(unstuffed.length).toBe(raw.length);
    expect(unstuffed === raw.toString('utf8')).toBe(true);
  });
});
