import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthThrottle,
  createLogger,
  createMetrics,
  createTlsContextProvider,
  type TlsContextProvider,
} from '@minimail/protocol';
import {
  metricSample,
  RawClient,
  scrapeWhen,
  selfSignedPemPair,
  tlsPeerName,
} from '@minimail/protocol/testing';
import { openStore, type MailStore } from '@minimail/store';
import { createPop3Server, POP3_COMMAND_NAMES, type Pop3Listener, type Pop3ServiceOptions } from './index.js';
import { HOSTNAME } from './test-support/harness.js';

let dir: string;
let store: MailStore;
const servers: Pop3Listener[] = [];
const clients: RawClient[] = [];
let provider: TlsContextProvider | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'minimail-pop3-hardening-'));
  store = openStore({ path: join(dir, 'minimail.sqlite') });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
  provider?.close();
  provider = null;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: Partial<Pop3ServiceOptions> & { implicitTls?: boolean } = {}): Promise<number> {
  const server = createPop3Server({
    store,
    logger: createLogger({ level: 'silent' }),
    hostname: HOSTNAME,
    profile: 'dev',
    tls: null,
    implicitTls: false,
    ...options,
  });
  servers.push(server);
  return server.listen(0, '127.0.0.1');
}

async function connect(port: number, secure = false): Promise<RawClient> {
  const client = await RawClient.connect(port, { tls: secure });
  clients.push(client);
  return client;
}

describe('POP3 hardening', () => {
  it('serves renewed certificate files to new connections without a restart', async () => {
    const certPath = join(dir, 'cert.pem');
    const keyPath = join(dir, 'key.pem');
    const write = (pair: { cert: string; key: string }): void => {
      writeFileSync(certPath, pair.cert);
      writeFileSync(keyPath, pair.key);
    };
    write(await selfSignedPemPair('first.test'));
    provider = await createTlsContextProvider({
      certPath,
      keyPath,
      pollIntervalMs: 60_000, // reload() stands in for the file watcher (tested in protocol)
      onError: (error) => {
        throw error;
      },
    });
    const port = await start({ tls: provider, implicitTls: true });
    expect(await tlsPeerName({ port })).toBe('first.test');
    write(await selfSignedPemPair('second.test'));
    await provider.reload();
    expect(await tlsPeerName({ port })).toBe('second.test');
  });

  it('refuses TLS 1.1 on POP3S (RFC 8996)', async () => {
    const port = await start({ tls: await selfSignedPemPair('pop.test'), implicitTls: true });
    const socket = tls.connect({
      port,
      host: '127.0.0.1',
      rejectUnauthorized: false,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
    });
    await expect(
      new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject)),
    ).rejects.toThrow();
    socket.destroy();
  });

  it('records connections, commands, -ERR replies, retrieved messages and failed logins', async () => {
    const metrics = createMetrics({ processMetrics: false });
    await store.addDomain('local.test');
    const user = await store.addUser('bob@local.test', 'secret');
    const raw = Buffer.from('Subject: hi\r\n\r\nhello\r\n');
    await store.deliver({ raw, targets: [{ userId: user.id }] });
    const port = await start({
      profile: 'production',
      tls: await selfSignedPemPair('pop.test'),
      implicitTls: true,
      metrics: metrics.forProtocol('pop3', POP3_COMMAND_NAMES),
    });
    const client = await connect(port, true);
    await client.expect(`+OK ${HOSTNAME} POP3 server ready`);
    client.send('USER bob@local.test');
    await client.expect('+OK send PASS');
    client.send('PASS wrong');
    await client.expect('-ERR [AUTH] invalid login or password');
    client.send('USER bob@local.test');
    await client.expect('+OK send PASS');
    client.send('PASS secret');
    await client.expect(`+OK maildrop locked and ready, 1 messages (${raw.length} octets)`);
    client.send('RETR 1');
    await client.expect(`+OK ${raw.length} octets`);
    await client.expect('Subject: hi');
    await client.expect('');
    await client.expect('hello');
    await client.expect('.');
    client.send('XYZZY');
    await client.expect('-ERR unknown command');
    client.send('QUIT');
    await client.expect('+OK bye, 1 messages left');
    await client.closed();
    // The server counts the connection closed once it sees the close, a moment after the client.
    const open = 'minimail_connections_open{protocol="pop3"}';
    const text = await scrapeWhen(() => metrics.scrape(), open, 0);
    expect(metricSample(text, 'minimail_connections_total{protocol="pop3"}')).toBe(1);
    expect(metricSample(text, open)).toBe(0);
    expect(metricSample(text, 'minimail_commands_total{protocol="pop3",command="USER"}')).toBe(2);
    expect(metricSample(text, 'minimail_commands_total{protocol="pop3",command="PASS"}')).toBe(2);
    expect(metricSample(text, 'minimail_commands_total{protocol="pop3",command="RETR"}')).toBe(1);
    expect(metricSample(text, 'minimail_commands_total{protocol="pop3",command="QUIT"}')).toBe(1);
    expect(metricSample(text, 'minimail_commands_total{protocol="pop3",command="OTHER"}')).toBe(1);
    expect(metricSample(text, 'minimail_errors_total{protocol="pop3",kind="AUTH"}')).toBe(1);
    expect(metricSample(text, 'minimail_errors_total{protocol="pop3",kind="ERR"}')).toBe(1);
    expect(metricSample(text, 'minimail_auth_failures_total{protocol="pop3"}')).toBe(1);
    expect(metricSample(text, 'minimail_messages_total{protocol="pop3",direction="out"}')).toBe(1);
    expect(metricSample(text, 'minimail_message_bytes_total{protocol="pop3",direction="out"}')).toBe(
      raw.length,
    );
  });

  it('limits connections per IP', async () => {
    const port = await start({ maxConnectionsPerIp: 1 });
    const first = await connect(port);
    await first.expect(`+OK ${HOSTNAME} POP3 server ready`);
    const second = await connect(port);
    await second.expect('-ERR [SYS/TEMP] too many connections, try again later');
    await second.closed();
  });

  it('shares one failed-login throttle between listeners', async () => {
    await store.addDomain('local.test');
    await store.addUser('bob@local.test', 'secret');
    const throttle = new AuthThrottle({ freeFailures: 0, baseDelayMs: 400, maxDelayMs: 400 });
    const pair = await selfSignedPemPair('pop.test');
    const options = { profile: 'production' as const, tls: pair, implicitTls: true, authThrottle: throttle };
    const ports = [await start(options), await start(options)];
    const failOn = async (port: number): Promise<number> => {
      const client = await connect(port, true);
      await client.expect(`+OK ${HOSTNAME} POP3 server ready`);
      client.send('USER bob@local.test');
      await client.expect('+OK send PASS');
      const started = Date.now();
      client.send('PASS wrong');
      await client.expect('-ERR [AUTH] invalid login or password');
      return Date.now() - started;
    };
    await failOn(ports[0]!);
    expect(await failOn(ports[1]!)).toBeGreaterThanOrEqual(350);
  });

  it('a throttled account answers a right password as late as a wrong one (issue 11: no guessing at full speed)', async () => {
    await store.addDomain('local.test');
    await store.addUser('bob@local.test', 'secret');
    const DELAY_MS = 400;
    const throttle = new AuthThrottle({ freeFailures: 0, baseDelayMs: DELAY_MS, maxDelayMs: DELAY_MS });
    const pair = await selfSignedPemPair('pop.test');
    const port = await start({ profile: 'production', tls: pair, implicitTls: true, authThrottle: throttle });
    // Failures against the account from elsewhere: this client's own IP has none.
    throttle.recordFailure('198.51.100.7', 'bob@local.test');
    const timedPass = async (password: string, reply: string): Promise<number> => {
      const client = await connect(port, true);
      await client.expect(`+OK ${HOSTNAME} POP3 server ready`);
      client.send('USER BOB@local.test');
      await client.expect('+OK send PASS');
      const started = performance.now();
      client.send(`PASS ${password}`);
      await client.expect(reply);
      return performance.now() - started;
    };
    const wrong = await timedPass('wrong', '-ERR [AUTH] invalid login or password');
    // The right password comes after a failure, so the account is still throttled.
    const right = await timedPass('secret', '+OK maildrop locked and ready, 0 messages (0 octets)');
    expect(wrong).toBeGreaterThanOrEqual(DELAY_MS - 5);
    // Before: the right password was answered at once (the delay came only after a failure).
    expect(right).toBeGreaterThanOrEqual(DELAY_MS - 5);
    // Both wait the throttle, then one scrypt check: equal up to scheduling noise.
    expect(Math.abs(right - wrong)).toBeLessThan(DELAY_MS / 2);
  });
});
