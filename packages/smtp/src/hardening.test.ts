import dns from 'node:dns';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthThrottle,
  createMetrics,
  createTlsContextProvider,
  type Metrics,
  type TlsContextProvider,
} from '@minimail/protocol';
import { metricSample, selfSignedPemPair, tlsPeerName } from '@minimail/protocol/testing';
import { openStore, type MailStore } from '@minimail/store';
import {
  createMxServer,
  createSubmissionServer,
  type SmtpListener,
  type SmtpServiceOptions,
} from './index.js';
import { HOSTNAME, inbox } from './test-support/harness.js';
import { RawSmtpClient } from './test-support/raw-client.js';
import { testCertificate } from './test-support/tls-cert.js';
import type { Profile } from '@minimail/protocol';

let dir: string;
let store: MailStore;
const listeners: SmtpListener[] = [];
const clients: RawSmtpClient[] = [];
const sockets: tls.TLSSocket[] = [];
let provider: TlsContextProvider | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'minimail-smtp-hardening-'));
  store = openStore({ path: join(dir, 'minimail.sqlite') });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  sockets.splice(0).forEach((socket) => socket.destroy());
  await Promise.all(listeners.splice(0).map((listener) => listener.close()));
  provider?.close();
  provider = null;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

type Options = Partial<SmtpServiceOptions> & { kind?: 'mx' | 'submission' | 'submissions' };

async function start(options: Options = {}): Promise<number> {
  const { kind = 'mx', ...overrides } = options;
  const common: SmtpServiceOptions = {
    store,
    logger: pino({ level: 'silent' }),
    hostname: HOSTNAME,
    profile: 'dev',
    tls: kind === 'submissions' ? await testCertificate() : null,
    ...overrides,
  };
  const listener =
    kind === 'mx'
      ? createMxServer(common)
      : createSubmissionServer({ ...common, implicitTls: kind === 'submissions' });
  listeners.push(listener);
  return listener.listen(0, '127.0.0.1');
}

async function connect(port: number, options: { tls?: boolean } = {}): Promise<RawSmtpClient> {
  const client = await RawSmtpClient.connect(port, options);
  clients.push(client);
  return client;
}

/** Sends EHLO the moment the TCP connection is up, before any greeting could have arrived. */
async function earlyTalker(port: number): Promise<{ first: string; second: string }> {
  const client = await connect(port);
  client.send('EHLO early.test');
  const first = (await client.reply()).last;
  const second = (await client.reply()).last;
  return { first, second };
}

describe('greeting delay (early-talker detection)', () => {
  it("keeps smtp-server's pause on the production MX: a client talking first gets 421", async () => {
    const port = await start({ profile: 'production' });
    const client = await connect(port);
    client.send('EHLO early.test');
    expect((await client.reply()).last).toBe(`421 ${HOSTNAME} You talk too soon`);
    await client.closed();
  });

  it('greets at once in dev, so even a client that does not wait is served', async () => {
    const port = await start({ profile: 'dev' });
    expect(await earlyTalker(port)).toEqual({
      first: `220 ${HOSTNAME} ESMTP minimail`,
      second: '250 SIZE 26214400',
    });
  });

  it('greets at once on production submission (our own users, after TLS)', async () => {
    const port = await start({ profile: 'production', kind: 'submission', tls: await testCertificate() });
    const { first, second } = await earlyTalker(port);
    expect(first).toBe(`220 ${HOSTNAME} ESMTP minimail`);
    expect(second).toBe('250 SIZE 26214400');
  });

  it('can be chosen per listener, and sends exactly one greeting either way', async () => {
    const port = await start({ profile: 'production', rejectEarlyTalkers: false });
    const client = await connect(port);
    expect((await client.reply()).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
    // Past smtp-server's own 100 ms timer: it must not greet a second time.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await client.command('NOOP')).toBe('250 2.0.0 OK');
  });
});

describe('connection limits', () => {
  it('answers 421 4.7.0 over the per-IP limit and frees the slot when a client leaves', async () => {
    const port = await start({ maxConnectionsPerIp: 1 });
    const first = await connect(port);
    expect((await first.reply()).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
    const second = await connect(port);
    expect((await second.reply()).last).toBe('421 4.7.0 Too many connections, try again later');
    await second.closed();
    expect(await first.command('QUIT')).toBe('221 2.0.0 Bye');
    await first.closed();
    await new Promise((resolve) => setTimeout(resolve, 50)); // smtp-server calls onClose a tick later
    const third = await connect(port);
    expect((await third.reply()).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
  });

  it('counts the total over every IP too', async () => {
    const port = await start({ maxClients: 2, maxConnectionsPerIp: 10 });
    for (let i = 0; i < 2; i++)
      expect((await (await connect(port)).reply()).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
    expect((await (await connect(port)).reply()).last).toBe(
      '421 4.7.0 Too many connections, try again later',
    );
  });
});

/** RFC 4616 PLAIN credentials for bob@local.test with a wrong password. */
const WRONG_PASSWORD_PLAIN = Buffer.from('\0bob@local.test\0wrong').toString('base64');

describe('metrics', () => {
  let metrics: Metrics;
  beforeEach(() => {
    metrics = createMetrics({ processMetrics: false });
  });

  it('counts connections, commands, error replies and delivered messages with their size', async () => {
    const port = await start({
      metrics: metrics.forProtocol('smtp', ['EHLO', 'MAIL', 'RCPT', 'DATA', 'QUIT']),
    });
    const client = await connect(port);
    expect((await client.reply()).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
    expect(await client.command('EHLO client.test')).toBe('250 SIZE 26214400');
    expect(await client.command('RCPT TO:<x@local.test>')).toBe('503 5.5.1 Error: need MAIL command');
    expect(await client.command('MAIL FROM:<a@remote.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<bob@local.test>')).toBe('250 2.1.5 Accepted');
    expect(await client.command('DATA')).toBe('354 End data with <CR><LF>.<CR><LF>');
    const body = 'Subject: counted\r\n\r\nhello\r\n';
    expect(await client.command(`${body}.`)).toBe('250 2.6.0 Message accepted for delivery');
    let text = await metrics.scrape();
    expect(metricSample(text, 'minimail_connections_open{protocol="smtp"}')).toBe(1);
    expect(await client.command('QUIT')).toBe('221 2.0.0 Bye');
    await client.closed();
    await new Promise((resolve) => setTimeout(resolve, 50));

    text = await metrics.scrape();
    expect(metricSample(text, 'minimail_connections_open{protocol="smtp"}')).toBe(0);
    expect(metricSample(text, 'minimail_connections_total{protocol="smtp"}')).toBe(1);
    expect(metricSample(text, 'minimail_commands_total{protocol="smtp",command="EHLO"}')).toBe(1);
    expect(metricSample(text, 'minimail_commands_total{protocol="smtp",command="RCPT"}')).toBe(2);
    expect(metricSample(text, 'minimail_commands_total{protocol="smtp",command="DATA"}')).toBe(1);
    expect(metricSample(text, 'minimail_commands_total{protocol="smtp",command="QUIT"}')).toBe(1);
    expect(metricSample(text, 'minimail_errors_total{protocol="smtp",kind="503"}')).toBe(1);
    expect(metricSample(text, 'minimail_messages_total{protocol="smtp",direction="in"}')).toBe(1);
    expect(metricSample(text, 'minimail_message_bytes_total{protocol="smtp",direction="in"}')).toBe(
      body.length,
    );
    expect(await inbox(store, 'bob@local.test')).toHaveLength(1);
  });

  it('counts failed logins and refused connections', async () => {
    await store.addDomain('local.test');
    await store.addUser('bob@local.test', 'right password');
    const port = await start({
      profile: 'production',
      kind: 'submissions',
      maxConnectionsPerIp: 1,
      metrics: metrics.forProtocol('submission', ['AUTH']),
    });
    const client = await connect(port, { tls: true });
    expect((await client.reply()).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
    expect(await client.command('EHLO client.test')).toBe('250 SIZE 26214400');
    expect(await client.command(`AUTH PLAIN ${WRONG_PASSWORD_PLAIN}`)).toBe(
      '535 5.7.8 Authentication credentials invalid',
    );
    const refused = await connect(port, { tls: true });
    expect((await refused.reply()).last).toBe('421 4.7.0 Too many connections, try again later');

    const text = await metrics.scrape();
    expect(metricSample(text, 'minimail_auth_failures_total{protocol="submission"}')).toBe(1);
    expect(metricSample(text, 'minimail_commands_total{protocol="submission",command="AUTH"}')).toBe(1);
    expect(
      metricSample(text, 'minimail_connections_refused_total{protocol="submission",reason="limit"}'),
    ).toBe(1);
  });
});

describe('shared failed-login throttle', () => {
  it('counts failures on one listener against logins on another', async () => {
    await store.addDomain('local.test');
    await store.addUser('bob@local.test', 'right password');
    const throttle = new AuthThrottle({ freeFailures: 0, baseDelayMs: 400, maxDelayMs: 400 });
    const options = { profile: 'production' as const, kind: 'submissions' as const, authThrottle: throttle };
    const first = await start(options);
    const second = await start(options);
    const login = async (port: number): Promise<{ reply: string; ms: number }> => {
      const client = await connect(port, { tls: true });
      expect((await client.reply()).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
      expect(await client.command('EHLO client.test')).toBe('250 SIZE 26214400');
      const started = Date.now();
      const reply = await client.command(`AUTH PLAIN ${WRONG_PASSWORD_PLAIN}`);
      return { reply, ms: Date.now() - started };
    };
    expect((await login(first)).reply).toBe('535 5.7.8 Authentication credentials invalid');
    // The second failure, on the other port, is answered only after the throttle's delay.
    const delayed = await login(second);
    expect(delayed.reply).toBe('535 5.7.8 Authentication credentials invalid');
    expect(delayed.ms).toBeGreaterThanOrEqual(350);
  });
});

describe('TLS certificate reload', () => {
  it('serves renewed certificate files to new connections without a restart', async () => {
    const certPath = join(dir, 'cert.pem');
    const keyPath = join(dir, 'key.pem');
    const writePair = async (name: string): Promise<void> => {
      const pems = await selfSignedPemPair(name);
      writeFileSync(certPath, pems.cert);
      writeFileSync(keyPath, pems.key);
    };
    await writePair('first.test');
    provider = await createTlsContextProvider({
      certPath,
      keyPath,
      pollIntervalMs: 60_000, // reload() below stands in for the file watcher (tested in protocol)
      onError: (error) => {
        throw error;
      },
    });
    const port = await start({ kind: 'submissions', tls: provider });
    expect(await tlsPeerName({ port })).toBe('first.test');

    await writePair('second.test');
    await provider.reload();
    expect(await tlsPeerName({ port })).toBe('second.test');
  });

  it('refuses TLS 1.1 and accepts TLS 1.2 (RFC 8996)', async () => {
    const port = await start({ kind: 'submissions' });
    await expect(handshake(port, { maxVersion: 'TLSv1.1', minVersion: 'TLSv1' })).rejects.toThrow();
    expect((await handshake(port, { maxVersion: 'TLSv1.2' })).getProtocol()).toBe('TLSv1.2');
  });
});

describe('no DNS traffic', () => {
  /**
   * Replaces every query function of node:dns and dns.promises for the duration of `work` with a
   * recorder that fails the query without sending it (so even the control test below makes no
   * DNS traffic), and returns the calls seen.
   */
  async function dnsCallsDuring(work: () => Promise<void>): Promise<string[]> {
    const calls: string[] = [];
    const restore: Array<() => void> = [];
    const notFound = (): Error => Object.assign(new Error('DNS disabled in tests'), { code: 'ENOTFOUND' });
    const trap = (target: Record<string, unknown>, prefix: string, promises: boolean): void => {
      for (const name of DNS_FUNCTIONS) {
        const original = target[name];
        if (typeof original !== 'function') continue;
        target[name] = (...args: unknown[]) => {
          calls.push(`${prefix}${name}(${String(args[0])})`);
          if (promises) return Promise.reject(notFound());
          const callback = args.at(-1);
          if (typeof callback === 'function')
            setImmediate(() => (callback as (e: Error) => void)(notFound()));
          return undefined;
        };
        restore.push(() => (target[name] = original));
      }
    };
    trap(dns as unknown as Record<string, unknown>, 'dns.', false);
    trap(dns.promises as unknown as Record<string, unknown>, 'dns.promises.', true);
    try {
      await work();
    } finally {
      restore.forEach((undo) => undo());
    }
    return calls;
  }

  async function session(port: number, profile: Profile): Promise<void> {
    const client = await connect(port);
    expect((await client.reply(2000)).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
    expect(await client.command('EHLO client.test')).toBe('250 SIZE 26214400');
    expect(await client.command('MAIL FROM:<a@remote.test>')).toBe('250 2.1.0 Accepted');
    const expected = profile === 'dev' ? '250 2.1.5 Accepted' : '550 5.1.1 No such user here';
    expect(await client.command('RCPT TO:<bob@local.test>')).toBe(expected);
    expect(await client.command('QUIT')).toBe('221 2.0.0 Bye');
  }

  it('makes no DNS query during MX sessions in dev and production', async () => {
    await store.addDomain('local.test');
    const dev = await start({ profile: 'dev' });
    const production = await start({ profile: 'production' });
    const calls = await dnsCallsDuring(async () => {
      await session(dev, 'dev');
      await session(production, 'production');
    });
    expect(calls).toEqual([]);
  });

  it("would notice smtp-server's default reverse lookup (the trap works)", async () => {
    const plain = new SMTPServer({
      name: 'plain.test',
      logger: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
    });
    const port = await new Promise<number>((resolve) =>
      plain.listen(0, '127.0.0.1', () => resolve((plain.server.address() as { port: number }).port)),
    );
    try {
      const calls = await dnsCallsDuring(async () => {
        const client = await connect(port);
        expect((await client.reply(3000)).last).toBe('220 plain.test ESMTP');
        await client.close();
      });
      expect(calls).toContain('dns.reverse(127.0.0.1)');
    } finally {
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });
});

const DNS_FUNCTIONS = [
  'lookup',
  'lookupService',
  'reverse',
  'resolve',
  'resolve4',
  'resolve6',
  'resolveAny',
  'resolveMx',
  'resolveTxt',
  'resolvePtr',
] as const;

async function handshake(port: number, options: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...options });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}
