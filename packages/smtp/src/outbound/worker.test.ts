import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth';
import pino from 'pino';
import { openStore, type MailStore } from '@minimail/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inbox } from '../test-support/harness.js';
import { startBrokenTlsMx } from '../test-support/broken-tls-mx.js';
import { startRemoteMx, type RemoteMx, type Script } from '../test-support/remote-mx.js';
import { dkimRecordName, dkimRecordValue, generateDkimKey } from './dkim-keys.js';
import { missingRecord, staticResolver, toMailauthResolver, type DnsResolver } from './resolver.js';
import { createRelayWorker, type RelayWorker, type RelayWorkerOptions } from './worker.js';

const HOSTNAME = 'relay.local.test';
const BODY =
  'From: Alice <alice@local.test>\r\nTo: bob@remote.test\r\nSubject: hello\r\nMessage-ID: <1@local.test>\r\n\r\nHi Bob\r\n';

let dir: string;
let store: MailStore;
let remote: RemoteMx | null = null;
const workers: RelayWorker[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'minimail-relay-'));
  store = openStore({ path: join(dir, 'minimail.sqlite') });
  await store.addDomain('local.test');
  await store.addUser('alice@local.test', 'pw');
});

afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
  await remote?.close();
  remote = null;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Queues BODY from `sender` to `recipients` exactly as the submission listener would. */
async function queue(sender: string, recipients: string[], body = BODY): Promise<number[]> {
  const raw = Buffer.from(`Return-Path: <${sender}>\r\nReceived: from client by ${HOSTNAME}\r\n${body}`);
  return (await store.deliver({ raw, targets: [], outbound: { sender, recipients } })).queued;
}

function worker(mx: RemoteMx, extra: Partial<RelayWorkerOptions> = {}): RelayWorker {
  const created = createRelayWorker({
    store,
    logger: pino({ level: 'silent' }),
    hostname: HOSTNAME,
    resolver: staticResolver('127.0.0.1'),
    mxPort: mx.port,
    // The stand-in MX listens on loopback, which the relay otherwise never connects to.
    allowPrivateDestinations: true,
    retry: { delaysMs: [0], maxAgeMs: 60_000, delayNoticeAfterMs: 60_000 },
    ...extra,
  });
  workers.push(created);
  return created;
}

async function mx(
  options: { script?: Script; auth?: { user: string; pass: string }; smtpUtf8?: boolean } = {},
): Promise<RemoteMx> {
  remote = await startRemoteMx(options);
  return remote;
}

describe('relay worker', () => {
  it('delivers over opportunistic STARTTLS without our Return-Path, DKIM-signed with a key that verifies', async () => {
    const key = await store.setDkimKey('local.test', generateDkimKey('rsa-sha256', 'sel1'));
    const m = await mx();
    await queue('alice@local.test', ['bob@remote.test', 'carol@remote.test']);
    expect(await worker(m).runOnce()).toBe(2);

    // Both recipients of one domain went in ONE transaction.
    expect(m.received).toHaveLength(1);
    const [mail] = m.received;
    expect(mail).toMatchObject({
      from: 'alice@local.test',
      to: ['bob@remote.test', 'carol@remote.test'],
      secure: true,
    });
    const text = mail!.data.toString();
    expect(text).toMatch(/^DKIM-Signature: .*d=local\.test;/s);
    expect(text).not.toMatch(/^Return-Path:/m);
    expect(text).toContain(`Received: from client by ${HOSTNAME}\r\nFrom: Alice <alice@local.test>`);

    // Verified with the record `minimail dns` publishes, served by a resolver that knows only it.
    const published: DnsResolver = {
      ...staticResolver('127.0.0.1'),
      resolveTxt: (name) =>
        name === dkimRecordName(key)
          ? Promise.resolve([[dkimRecordValue(key)]])
          : Promise.reject(missingRecord(name, 'TXT')),
    };
    const verified = await dkimVerify(mail!.data, { resolver: toMailauthResolver(published) });
    expect(verified.results.map((r) => [r.signingDomain, r.selector, r.status.result])).toEqual([
      ['local.test', 'sel1', 'pass'],
    ]);
    expect(await store.listOutbound()).toEqual([]);
  });

  it('signs with Ed25519 keys too', async () => {
    const key = await store.setDkimKey('local.test', generateDkimKey('ed25519-sha256', 'ed1'));
    const m = await mx();
    await queue('alice@local.test', ['bob@remote.test']);
    await worker(m).runOnce();
    const published: DnsResolver = {
      ...staticResolver('127.0.0.1'),
      resolveTxt: () => Promise.resolve([[dkimRecordValue(key)]]),
    };
    const verified = await dkimVerify(m.received[0]!.data, {
      resolver: toMailauthResolver(published) as never,
    });
    expect(m.received[0]!.data.toString()).toMatch(/^DKIM-Signature: [^]*a=ed25519-sha256;/);
    expect(verified.results.map((r) => [r.selector, r.status.result])).toEqual([['ed1', 'pass']]);
  });

  it('delivers two queued messages with identical bytes to the same recipient twice (issue 11)', async () => {
    const m = await mx();
    const first = await queue('alice@local.test', ['bob@remote.test']);
    const second = await queue('alice@local.test', ['Bob@remote.test', 'carol@remote.test']);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(2);
    await worker(m).runOnce();
    // Before: one transaction with RCPT TO:<bob> twice, which the remote stored once. The two
    // transactions may arrive in either order (the entries share a creation time), so sort them.
    expect(m.received.map((mail) => mail.to).sort((a, b) => a.length - b.length)).toEqual([
      ['bob@remote.test'],
      ['bob@remote.test', 'carol@remote.test'],
    ]);
    expect(m.received[0]!.data.equals(m.received[1]!.data)).toBe(true);
    expect(await store.listOutbound()).toEqual([]);
  });

  it('never connects to a loopback, private or own address found through MX/A (5.4.6 bounce, issue 11)', async () => {
    const m = await mx();
    for (const address of ['127.0.0.1', '10.20.30.40', '169.254.1.1', '::1', '::ffff:192.168.1.1']) {
      const [id] = await queue('alice@local.test', ['bob@remote.test']);
      await worker(m, { allowPrivateDestinations: false, resolver: staticResolver(address) }).runOnce();
      expect(m.received).toEqual([]);
      expect(await store.listOutbound()).toMatchObject([
        {
          id,
          status: 'failed',
          lastError: 'remote.test resolves only to private, loopback or own addresses',
        },
      ]);
      await store.deleteOutbound(id!);
    }
  });

  it('looks up a UTF-8 recipient domain as its A-label and sends it so unless the next hop offers SMTPUTF8', async () => {
    const asked: string[] = [];
    const recording: DnsResolver = {
      ...staticResolver('127.0.0.1'),
      resolveMx: (name) => {
        asked.push(name);
        return Promise.resolve([{ exchange: `mx.${name}`, priority: 10 }]);
      },
    };
    const m = await mx();
    for (const smtpUtf8 of [false, true]) {
      const standIn = await startBrokenTlsMx({ accept: true, smtpUtf8 });
      try {
        await queue('alice@local.test', ['bob@bücher.test']);
        await worker(m, { resolver: recording, mxPort: standIn.port }).runOnce();
        // Before: the U-label went to DNS and, without SMTPUTF8, into RCPT TO as raw UTF-8.
        expect(standIn.commands.filter((command) => command.startsWith('RCPT'))).toEqual([
          smtpUtf8 ? 'RCPT TO:<bob@bücher.test>' : 'RCPT TO:<bob@xn--bcher-kva.test>',
        ]);
        expect(await store.listOutbound()).toEqual([]);
      } finally {
        await standIn.close();
      }
    }
    expect(asked).toEqual(['xn--bcher-kva.test', 'xn--bcher-kva.test']);
  });

  it('retries a 451 and delivers exactly once', async () => {
    const m = await mx({
      script: (stage, _to, attempt) =>
        stage === 'data' && attempt === 1 ? { code: 451, text: '4.7.1 Greylisted, try later' } : undefined,
    });
    const [id] = await queue('alice@local.test', ['bob@remote.test']);
    const w = worker(m);
    await w.runOnce();
    expect(m.received).toHaveLength(0);
    expect(await store.listOutbound()).toMatchObject([
      { id, status: 'queued', attempts: 1, lastError: expect.stringContaining('451 4.7.1 Greylisted') },
    ]);
    await w.runOnce();
    await w.runOnce();
    expect(m.dataAttempts).toBe(2);
    expect(m.received).toHaveLength(1);
    expect(await store.listOutbound()).toEqual([]);
    // Nothing bounced.
    expect(await inbox(store, 'alice@local.test')).toEqual([]);
  });

  it('turns a 550 into one RFC 3464 DSN in the local sender INBOX, sent with the null sender', async () => {
    const m = await mx({
      script: (stage, to) =>
        stage === 'rcpt' && to === 'bob@remote.test' ? { code: 550, text: '5.1.1 No such user' } : undefined,
    });
    const [bobId] = await queue('alice@local.test', ['bob@remote.test', 'carol@remote.test']);
    await worker(m).runOnce();
    // Carol got it; Bob's entry is kept as failed for the admin.
    expect(m.received.map((mail) => mail.to)).toEqual([['carol@remote.test']]);
    expect(await store.listOutbound()).toMatchObject([
      { id: bobId, status: 'failed', lastError: expect.stringContaining('550 5.1.1') },
    ]);
    const [dsn, ...more] = await inbox(store, 'alice@local.test');
    expect(more).toEqual([]);
    const text = dsn!.toString();
    expect(text).toMatch(
      /^Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@relay\.local\.test>\r\n/,
    );
    expect(text).toContain('Subject: Undelivered Mail Returned to Sender\r\n');
    expect(text).toContain('Auto-Submitted: auto-replied\r\n');
    expect(text).toMatch(
      /Content-Type: multipart\/report; report-type=delivery-status;\r\n\tboundary="([^"]+)"/,
    );
    expect(text).toContain('Content-Type: message/delivery-status\r\n');
    expect(text).toMatch(
      /Reporting-MTA: dns; relay\.local\.test\r\nArrival-Date: .+\r\n\r\nFinal-Recipient: rfc822; bob@remote\.test\r\nAction: failed\r\nStatus: 5\.1\.1\r\nRemote-MTA: dns; mx\.remote\.test\r\nDiagnostic-Code: smtp; 550 5\.1\.1 No such user\r\n/,
    );
    expect(text).toContain('Content-Type: text/rfc822-headers\r\n');
    expect(text).toContain('Subject: hello\r\nMessage-ID: <1@local.test>\r\n');
    expect(text).not.toContain('Hi Bob');
  });

  it('sends no DSN about a null-sender message', async () => {
    const m = await mx({ script: () => ({ code: 550, text: '5.1.1 No such user' }) });
    await queue('', ['bob@remote.test']);
    await worker(m).runOnce();
    expect(await store.listOutbound()).toMatchObject([{ sender: '', status: 'failed' }]);
    expect(await store.listOutbound()).toHaveLength(1);
    expect(await inbox(store, 'alice@local.test')).toEqual([]);
  });

  it('queues the DSN outward (null sender) when the original sender is remote', async () => {
    const m = await mx({
      script: (stage, to) =>
        to === 'bob@remote.test' ? { code: 550, text: '5.1.1 No such user' } : undefined,
    });
    await queue('someone@elsewhere.test', ['bob@remote.test']);
    await worker(m).runOnce();
    const entries = await store.listOutbound();
    expect(entries.map((e) => [e.sender, e.recipient, e.status])).toEqual([
      ['someone@elsewhere.test', 'bob@remote.test', 'failed'],
      ['', 'someone@elsewhere.test', 'queued'],
    ]);
  });

  it('bounces with 4.4.7 once the queue lifetime is over, and sends one delay notice before', async () => {
    const m = await mx({
      script: (stage) => (stage === 'rcpt' ? { code: 451, text: '4.3.0 Try again' } : undefined),
    });
    await queue('alice@local.test', ['bob@remote.test']);
    const w = worker(m, { retry: { delaysMs: [0], maxAgeMs: 60_000, delayNoticeAfterMs: 0 } });
    await w.runOnce();
    await w.runOnce();
    const delayed = await inbox(store, 'alice@local.test');
    expect(delayed).toHaveLength(1);
    expect(delayed[0]!.toString()).toMatch(
      /Subject: Delayed Mail[\s\S]*Action: delayed\r\nStatus: 4\.3\.0\r\n/,
    );
    expect(await store.listOutbound()).toMatchObject([{ delayNotified: true, attempts: 2 }]);

    const expiring = worker(m, { retry: { delaysMs: [0], maxAgeMs: 0, delayNoticeAfterMs: 0 } });
    await expiring.runOnce();
    const all = await inbox(store, 'alice@local.test');
    expect(all).toHaveLength(2);
    expect(all[1]!.toString()).toMatch(
      /Action: failed\r\nStatus: 4\.4\.7\r\nRemote-MTA: dns; mx\.remote\.test\r\nDiagnostic-Code: smtp; gave up after 3 attempts: 451 4\.3\.0 Try again/,
    );
  });

  it('retries connection failures, and redelivers an entry whose worker died mid-delivery', async () => {
    const m = await mx();
    await queue('alice@local.test', ['bob@remote.test']);
    // A worker claims the entry and dies: nothing settles it, its lease (0 ms here) runs out.
    const [claimed] = await store.claimOutbound(10, 0);
    expect(claimed?.status).toBe('delivering');
    // Nothing listens on this port: a connection failure is temporary.
    const broken = worker(m, { mxPort: await closedPort() });
    await broken.runOnce();
    expect(await store.listOutbound()).toMatchObject([
      { status: 'queued', attempts: 2, lastError: expect.stringMatching(/ECONNREFUSED|ESOCKET|connect/) },
    ]);
    await worker(m).runOnce();
    expect(m.received).toHaveLength(1);
    expect(await store.listOutbound()).toEqual([]);
  });

  it('falls back to the A record without MX (RFC 5321 5.1) and bounces a null MX (RFC 7505)', async () => {
    const m = await mx();
    const resolver: DnsResolver = {
      ...staticResolver('127.0.0.1'),
      resolveMx: (name) =>
        name === 'nomx.test'
          ? Promise.reject(missingRecord(name, 'MX'))
          : Promise.resolve([{ exchange: '.', priority: 0 }]),
    };
    await queue('alice@local.test', ['x@nomx.test', 'y@nullmx.test']);
    await worker(m, { resolver }).runOnce();
    expect(m.received.map((mail) => mail.to)).toEqual([['x@nomx.test']]);
    const [dsn] = await inbox(store, 'alice@local.test');
    expect(dsn!.toString()).toMatch(
      /Final-Recipient: rfc822; y@nullmx\.test\r\nAction: failed\r\nStatus: 5\.1\.10\r\n/,
    );
  });

  it('sends everything through a smarthost with AUTH when configured, making no DNS query', async () => {
    const m = await mx({ auth: { user: 'relay-user', pass: 'relay-pass' } });
    const noDns: DnsResolver = {
      resolveMx: () => Promise.reject(new Error('DNS used')),
      resolve4: () => Promise.reject(new Error('DNS used')),
      resolve6: () => Promise.reject(new Error('DNS used')),
      resolveTxt: () => Promise.reject(new Error('DNS used')),
    };
    await queue('alice@local.test', ['bob@remote.test', 'dan@other.test']);
    await worker(m, {
      resolver: noDns,
      smarthost: {
        host: '127.0.0.1',
        port: m.port,
        tls: 'starttls',
        verifyCertificate: false,
        auth: { user: 'relay-user', pass: 'relay-pass' },
      },
    }).runOnce();
    expect(m.received.map((mail) => [mail.to, mail.user, mail.secure]).sort()).toEqual([
      [['bob@remote.test'], 'relay-user', true],
      [['dan@other.test'], 'relay-user', true],
    ]);
    expect(await store.listOutbound()).toEqual([]);
  });

  it('defers (no bounce) when the next hop refuses STARTTLS that is required, or its TLS handshake fails', async () => {
    // 'smarthost': TLS required (STARTTLS); 'mx': opportunistic TLS to the MX.
    const cases: Array<[Parameters<typeof startBrokenTlsMx>[0], 'smarthost' | 'mx', RegExp]> = [
      // Before: a 5xx to STARTTLS counted as the recipient's permanent failure, and bounced.
      [{ refusal: '554 5.7.0 TLS not available' }, 'smarthost', /^554 5\.7\.0 TLS not available/],
      [{ refusal: '502 5.5.1 Unrecognized command' }, 'smarthost', /^502 5\.5\.1/],
      ['garbage-handshake', 'smarthost', /./],
      ['garbage-handshake', 'mx', /./],
    ];
    const unused = await mx();
    for (const [behaviour, route, lastError] of cases) {
      const broken = await startBrokenTlsMx(behaviour);
      try {
        const [id] = await queue('alice@local.test', ['bob@remote.test']);
        await worker(
          unused,
          route === 'mx'
            ? { mxPort: broken.port }
            : {
                smarthost: {
                  host: '127.0.0.1',
                  port: broken.port,
                  tls: 'starttls',
                  verifyCertificate: false,
                },
              },
        ).runOnce();
        expect(broken.commands.map((command) => command.split(' ')[0])).toContain('STARTTLS');
        // Nothing was offered in the clear after TLS failed.
        expect(broken.commands.some((command) => /^(MAIL|RCPT|DATA)/i.test(command))).toBe(false);
        expect(await store.listOutbound()).toMatchObject([
          { id, status: 'queued', attempts: 1, lastError: expect.stringMatching(lastError) },
        ]);
        expect(await inbox(store, 'alice@local.test')).toEqual([]);
        await store.deleteOutbound(id!);
      } finally {
        await broken.close();
      }
    }
  });

  it('keeps mail queued (no bounce) when the smarthost refuses our password: that is our fault', async () => {
    const m = await mx({ auth: { user: 'relay-user', pass: 'relay-pass' } });
    await queue('alice@local.test', ['bob@remote.test']);
    await worker(m, {
      smarthost: {
        host: '127.0.0.1',
        port: m.port,
        tls: 'starttls',
        verifyCertificate: false,
        auth: { user: 'relay-user', pass: 'wrong' },
      },
    }).runOnce();
    expect(await store.listOutbound()).toMatchObject([
      { status: 'queued', lastError: expect.stringMatching(/^535 /) },
    ]);
    expect(await inbox(store, 'alice@local.test')).toEqual([]);
  });

  it('sends a queued bounce with the null reverse-path', async () => {
    const m = await mx();
    await queue('', ['someone@elsewhere.test']);
    await worker(m).runOnce();
    expect(m.received.map((mail) => [mail.from, mail.to])).toEqual([['', ['someone@elsewhere.test']]]);
  });

  it('runs in the background and stops cleanly', async () => {
    const m = await mx();
    const w = worker(m, { pollIntervalMs: 20 });
    w.start();
    await queue('alice@local.test', ['bob@remote.test']);
    for (let i = 0; i < 100 && m.received.length === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
    await w.stop();
    expect(m.received).toHaveLength(1);
    expect(await store.listOutbound()).toEqual([]);
  });
});

it('stop() does not wait for a stalled remote beyond its grace; the entry keeps its lease', async () => {
  const { createServer } = await import('node:net');
  const sockets: import('node:net').Socket[] = [];
  // Accepts the connection and never greets.
  const silent = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  try {
    await queue('alice@local.test', ['bob@remote.test']);
    const m = await mx();
    const w = worker(m, { mxPort: port, pollIntervalMs: 10, stopGraceMs: 100 });
    w.start();
    for (let i = 0; i < 100 && sockets.length === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(sockets).toHaveLength(1);
    const started = Date.now();
    await w.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await store.listOutbound()).toMatchObject([{ status: 'delivering', attempts: 1 }]);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
