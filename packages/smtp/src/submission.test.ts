import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { createSubmissionServer } from './index.js';
import { MAX_UNAUTHENTICATED_COMMANDS } from './limits.js';
import { RawSmtpClient } from './test-support/raw-client.js';
import {
  afterTraceHeaders,
  countAllMessages,
  HOSTNAME,
  inbox,
  startHarness,
  traceHeaderPattern,
} from './test-support/harness.js';
import type { Harness, HarnessOptions } from './test-support/harness.js';
import pino from 'pino';
import { AuthThrottle } from '@minimail/protocol';
import { staticResolver } from './outbound/resolver.js';

let harness: Harness | null = null;
const clients: RawSmtpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await harness?.close();
  harness = null;
});

async function start(options: HarnessOptions): Promise<Harness> {
  harness = await startHarness(options);
  if (options.profile === 'production') {
    await harness.store.addDomain('local.test');
    await harness.store.addUser('bob@local.test', 'bob-password');
    await harness.store.addUser('carol@local.test', 'carol-password');
    await harness.store.addAlias('info@local.test', 'bob@local.test');
  }
  return harness;
}

async function connect(h: Harness, options: { tls?: boolean } = {}): Promise<RawSmtpClient> {
  const client = await RawSmtpClient.connect(h.port, options);
  clients.push(client);
  expect((await client.reply()).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
  return client;
}

const plain = (user: string, password: string): string =>
  Buffer.from(`\0${user}\0${password}`).toString('base64');
const b64 = (text: string): string => Buffer.from(text).toString('base64');

async function data(client: RawSmtpClient, body: string): Promise<string> {
  expect(await client.command('DATA')).toBe('354 End data with <CR><LF>.<CR><LF>');
  client.sendRaw(body + '.\r\n');
  return (await client.reply()).last;
}

/** The EHLO reply on the STARTTLS port before TLS (RFC 1870 SIZE last: the default 25 MiB limit). */
const EHLO_BEFORE_TLS = [
  `250-${HOSTNAME} Hello [127.0.0.1]`,
  '250-PIPELINING',
  '250-8BITMIME',
  '250-SMTPUTF8',
  '250-ENHANCEDSTATUSCODES',
  '250-DSN',
  '250-STARTTLS',
  '250 SIZE 26214400',
];
/** The last line of every EHLO reply here, with or without TLS. */
const EHLO_LAST_LINE = '250 SIZE 26214400';

describe('submission, production profile, STARTTLS port', () => {
  it('requires STARTTLS before AUTH and AUTH before MAIL (538, 530)', async () => {
    const h = await start({ profile: 'production', service: 'submission', withTls: true });
    const client = await connect(h);
    client.send('EHLO client.test');
    const ehlo = await client.reply();
    expect(ehlo.lines).toContain('250-STARTTLS');
    // No AUTH offered before TLS (issue 11: a SASL-IR client would put the password on the
    // wire); using it anyway is refused with 538 (below).
    expect(ehlo.lines).toEqual(EHLO_BEFORE_TLS);
    expect(await client.command('MAIL FROM:<bob@local.test>')).toBe('530 5.7.0 Authentication required');
    expect(await client.command(`AUTH PLAIN ${plain('bob@local.test', 'bob-password')}`)).toBe(
      '538 5.7.0 Error: Must issue a STARTTLS command first',
    );
    expect(await client.command('STARTTLS')).toBe('220 2.0.0 Ready to start TLS');
    await client.startTls();
    client.send('EHLO client.test');
    const secureEhlo = await client.reply();
    expect(secureEhlo.lines).toContain('250-AUTH PLAIN LOGIN');
    expect(secureEhlo.lines).not.toContain('250-STARTTLS');
    // RFC 3207 4.2: after TLS the client asks again; AUTH is offered now, STARTTLS no more.
    expect(secureEhlo.lines).toEqual([
      ...EHLO_BEFORE_TLS.filter((line) => line !== '250-STARTTLS' && line !== EHLO_LAST_LINE),
      '250-AUTH PLAIN LOGIN',
      EHLO_LAST_LINE,
    ]);
    expect(await client.command(`AUTH PLAIN ${plain('bob@local.test', 'bob-password')}`)).toBe(
      '235 2.7.0 Authentication successful',
    );
  });

  it('answers 535 5.7.8 to a wrong password and never logs it', async () => {
    const h = await start({ profile: 'production', service: 'submission', withTls: true });
    const client = await connect(h);
    expect(await client.command('EHLO client.test')).toBe(EHLO_LAST_LINE);
    expect(await client.command('STARTTLS')).toBe('220 2.0.0 Ready to start TLS');
    await client.startTls();
    expect(await client.command('EHLO client.test')).toBe(EHLO_LAST_LINE);
    expect(await client.command(`AUTH PLAIN ${plain('bob@local.test', 'Sekr1t-guess')}`)).toBe(
      '535 5.7.8 Authentication credentials invalid',
    );
    expect(await client.command(`AUTH PLAIN ${plain('nobody@local.test', 'Sekr1t-guess')}`)).toBe(
      '535 5.7.8 Authentication credentials invalid',
    );
    // RFC 4954 4: AUTH LOGIN, user name then password, each base64.
    expect(await client.command('AUTH LOGIN')).toBe('334 VXNlcm5hbWU6');
    expect(await client.command(b64('bob@local.test'))).toBe('334 UGFzc3dvcmQ6');
    expect(await client.command(b64('bob-password'))).toBe('235 2.7.0 Authentication successful');
    const all = h.rawLogs.join('');
    expect(all).not.toContain('Sekr1t-guess');
    expect(all).not.toContain('bob-password');
    expect(h.logs.filter((record) => record.msg === 'smtp auth').map((record) => record.result)).toEqual([
      'failed',
      'failed',
      'ok',
    ]);
  });

  it('throttles repeated failed logins (the answer is delayed once the free failures are used)', async () => {
    const h = await start({ profile: 'production', service: 'submission', withTls: true });
    const client = await connect(h);
    expect(await client.command('EHLO client.test')).toBe(EHLO_LAST_LINE);
    expect(await client.command('STARTTLS')).toBe('220 2.0.0 Ready to start TLS');
    await client.startTls();
    expect(await client.command('EHLO client.test')).toBe(EHLO_LAST_LINE);
    for (let i = 0; i < 4; i++) {
      expect(await client.command(`AUTH PLAIN ${plain('bob@local.test', `guess-${i}`)}`)).toBe(
        '535 5.7.8 Authentication credentials invalid',
      );
    }
    // A lower bound only: the delay is deliberate (1 s after the free failures), never a race.
    const startedAt = Date.now();
    expect(await client.command(`AUTH PLAIN ${plain('bob@local.test', 'guess-4')}`)).toBe(
      '535 5.7.8 Authentication credentials invalid',
    );
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
  });

  it('a throttled account answers a right password as late as a wrong one (the shared login policy)', async () => {
    const DELAY_MS = 400;
    const throttle = new AuthThrottle({ freeFailures: 0, baseDelayMs: DELAY_MS, maxDelayMs: DELAY_MS });
    const h = await start({
      profile: 'production',
      service: 'submissions',
      serviceOptions: { authThrottle: throttle },
    });
    // Failures against the account from elsewhere: this client's own IP has none.
    throttle.recordFailure('198.51.100.7', 'bob@local.test');
    const timedAuth = async (password: string, reply: string): Promise<number> => {
      const client = await connect(h, { tls: true });
      expect(await client.command('EHLO client.test')).toBe(EHLO_LAST_LINE);
      const started = performance.now();
      expect(await client.command(`AUTH PLAIN ${plain('Bob@Local.Test', password)}`)).toBe(reply);
      return performance.now() - started;
    };
    const wrong = await timedAuth('wrong', '535 5.7.8 Authentication credentials invalid');
    const right = await timedAuth('bob-password', '235 2.7.0 Authentication successful');
    expect(wrong).toBeGreaterThanOrEqual(DELAY_MS - 5);
    expect(right).toBeGreaterThanOrEqual(DELAY_MS - 5);
    expect(Math.abs(right - wrong)).toBeLessThan(DELAY_MS / 2);
  });

  it('requires header From:/Sender: to be own addresses too (553 5.7.1), unless allowed for trusted relays', async () => {
    const submitAs = async (h: Harness, header: string): Promise<string> => {
      const client = await connect(h, { tls: true });
      expect(await client.command('EHLO client.test')).toBe(EHLO_LAST_LINE);
      expect(await client.command(`AUTH PLAIN ${plain('bob@local.test', 'bob-password')}`)).toBe(
        '235 2.7.0 Authentication successful',
      );
      expect(await client.command('MAIL FROM:<bob@local.test>')).toBe('250 2.1.0 Accepted');
      expect(await client.command('RCPT TO:<carol@local.test>')).toBe('250 2.1.5 Accepted');
      return data(client, `${header}Subject: hi\r\n\r\nhello\r\n`);
    };
    const forged = '553 5.7.1 From/Sender header address not owned by the authenticated user';
    const h = await start({ profile: 'production', service: 'submissions' });
    // Before: accepted, the envelope was all that was checked.
    expect(await submitAs(h, 'From: Carol <carol@local.test>\r\n')).toBe(forged);
    expect(await submitAs(h, 'From: bob@local.test, carol@local.test\r\n')).toBe(forged);
    expect(await submitAs(h, 'From: Bob <bob@local.test>\r\nSender: carol@LOCAL.test\r\n')).toBe(forged);
    expect(await submitAs(h, 'From: Carol\r\n <carol@local.test>\r\n')).toBe(forged);
    expect(await inbox(h.store, 'carol@local.test')).toEqual([]);
    expect(await submitAs(h, 'From: "Bob" <BOB@local.test>\r\nSender: info@local.test\r\n')).toBe(
      '250 2.6.0 Message accepted for delivery',
    );
    await h.close();
    harness = null;
    const relay = await start({
      profile: 'production',
      service: 'submissions',
      serviceOptions: { allowAnyHeaderSender: true },
    });
    expect(await submitAs(relay, 'From: Carol <carol@local.test>\r\n')).toBe(
      '250 2.6.0 Message accepted for delivery',
    );
  });

  it('refuses relaying to address literals, localhost, our own name and names of private addresses (550 5.7.1)', async () => {
    const h = await start({
      profile: 'production',
      service: 'submissions',
      serviceOptions: {
        relayResolver: {
          ...staticResolver('192.0.2.10'),
          resolve4: async (name: string) => (name.endsWith('intranet.test') ? ['10.1.2.3'] : ['192.0.2.10']),
        },
      },
    });
    const client = await connect(h, { tls: true });
    expect(await client.command('EHLO client.test')).toBe(EHLO_LAST_LINE);
    expect(await client.command(`AUTH PLAIN ${plain('bob@local.test', 'bob-password')}`)).toBe(
      '235 2.7.0 Authentication successful',
    );
    expect(await client.command('MAIL FROM:<bob@local.test>')).toBe('250 2.1.0 Accepted');
    const refused = '550 5.7.1 Relay to this destination not allowed';
    // Before: each accepted and queued for the relay.
    for (const recipient of [
      'x@[127.0.0.1]',
      'x@[192.0.2.10]',
      'x@[IPv6:::1]',
      'x@localhost',
      'x@db.localhost',
      `x@${HOSTNAME}`,
      'x@intranet.test',
    ]) {
      expect(await client.command(`RCPT TO:<${recipient}>`)).toBe(refused);
    }
    expect(await client.command('RCPT TO:<dave@remote.test>')).toBe('250 2.1.5 Accepted');
  });

  it('requires MAIL FROM to be an own address or alias (553 5.7.1); delivers local at once, queues remote', async () => {
    const h = await start({ profile: 'production', service: 'submission', withTls: true });
    const client = await connect(h);
    expect(await client.command('EHLO client.test')).toBe(EHLO_LAST_LINE);
    expect(await client.command('STARTTLS')).toBe('220 2.0.0 Ready to start TLS');
    await client.startTls();
    expect(await client.command('EHLO client.test')).toBe(EHLO_LAST_LINE);
    expect(await client.command(`AUTH PLAIN ${plain('bob@local.test', 'bob-password')}`)).toBe(
      '235 2.7.0 Authentication successful',
    );
    expect(await client.command('MAIL FROM:<carol@local.test>')).toBe(
      '553 5.7.1 Sender address not owned by the authenticated user',
    );
    expect(await client.command('MAIL FROM:<>')).toBe(
      '553 5.7.1 Sender address not owned by the authenticated user',
    );
    expect(await client.command('MAIL FROM:<Info@local.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<nobody@local.test>')).toBe('550 5.1.1 No such user here');
    expect(await client.command('RCPT TO:<carol@local.test>')).toBe('250 2.1.5 Accepted');
    expect(await client.command('RCPT TO:<dave@remote.test>')).toBe('250 2.1.5 Accepted');
    expect(await data(client, 'Subject: out\r\n\r\nhello\r\n')).toBe(
      '250 2.6.0 Message accepted for delivery',
    );
    const [local] = await inbox(h.store, 'carol@local.test');
    const pattern = traceHeaderPattern({
      from: 'Info@local.test',
      helo: 'client.test',
      withType: 'ESMTPSA',
      rcpt: null,
    });
    expect(afterTraceHeaders(local as Buffer, pattern).toString()).toBe('Subject: out\r\n\r\nhello\r\n');
    const queued = await h.store.listOutbound();
    expect(queued.map((entry) => [entry.sender, entry.recipient, entry.status])).toEqual([
      ['Info@local.test', 'dave@remote.test', 'queued'],
    ]);
    // The queued body is the very body the local copy got.
    const carolBox = await h.store.getMailbox((await h.store.getUser('carol@local.test'))!.id, 'INBOX');
    const [summary] = await h.store.listMessages(carolBox!.id);
    expect(queued[0]?.bodyHash).toBe(summary?.bodyHash);
    expect(await inbox(h.store, 'bob@local.test')).toEqual([]);
  });

  it('delivers through nodemailer with STARTTLS and AUTH, byte for byte', async () => {
    const h = await start({ profile: 'production', service: 'submission', withTls: true });
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: h.port,
      secure: false,
      requireTLS: true,
      name: 'client.test',
      tls: { rejectUnauthorized: false },
      auth: { user: 'bob@local.test', pass: 'bob-password' },
    });
    const raw = Buffer.from(
      'From: bob@local.test\r\nTo: carol@local.test\r\nSubject: via nodemailer\r\n\r\nHi Carol\r\n',
    );
    const info = await transport.sendMail({
      envelope: { from: 'bob@local.test', to: ['carol@local.test'] },
      raw,
    });
    transport.close();
    expect(info.response).toBe('250 2.6.0 Message accepted for delivery');
    const [stored] = await inbox(h.store, 'carol@local.test');
    const pattern = traceHeaderPattern({
      from: 'bob@local.test',
      helo: 'client.test',
      withType: 'ESMTPSA',
      rcpt: 'carol@local.test',
    });
    expect(afterTraceHeaders(stored as Buffer, pattern).equals(raw)).toBe(true);
  });

  it('answers 454 4.7.0 when the store cannot check the password', async () => {
    const h = await start({ profile: 'production', service: 'submissions' });
    const client = await connect(h, { tls: true });
    expect(await client.command('EHLO client.test')).toBe(EHLO_LAST_LINE);
    await h.store.close();
    expect(await client.command(`AUTH PLAIN ${plain('bob@local.test', 'bob-password')}`)).toBe(
      '454 4.7.0 Temporary authentication failure',
    );
    expect(h.logs.some((record) => record.msg === 'login: store failure')).toBe(true);
  });

  it('hangs up on a client that keeps sending commands without logging in (limits.ts)', async () => {
    const h = await start({ profile: 'production', service: 'submission', withTls: true });
    const client = await connect(h);
    // Every command but AUTH counts; the last one allowed is answered, the next gets 421.
    for (let i = 1; i < MAX_UNAUTHENTICATED_COMMANDS; i++) {
      expect(await client.command('NOOP')).toBe('250 2.0.0 OK');
    }
    expect(await client.command('NOOP')).toBe('421 4.4.2 Error: too many unauthenticated commands');
    await client.closed();
  });

  it('refuses to start without a certificate', () => {
    const store = {} as never;
    expect(() =>
      createSubmissionServer({
        store,
        logger: pino({ level: 'silent' }),
        hostname: HOSTNAME,
        profile: 'production',
        tls: null,
        implicitTls: false,
      }),
    ).toThrow(/needs a TLS certificate/);
  });
});

describe('submission, production profile, implicit TLS', () => {
  it('delivers through nodemailer over implicit TLS', async () => {
    const h = await start({ profile: 'production', service: 'submissions' });
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: h.port,
      secure: true,
      name: 'client.test',
      tls: { rejectUnauthorized: false },
      auth: { user: 'bob@local.test', pass: 'bob-password' },
    });
    const raw = Buffer.from('Subject: implicit\r\n\r\nover TLS\r\n');
    const info = await transport.sendMail({
      envelope: { from: 'bob@local.test', to: ['carol@local.test', 'erin@remote.test'] },
      raw,
    });
    transport.close();
    expect(info.accepted).toEqual(['carol@local.test', 'erin@remote.test']);
    const [stored] = await inbox(h.store, 'carol@local.test');
    const pattern = traceHeaderPattern({
      from: 'bob@local.test',
      helo: 'client.test',
      withType: 'ESMTPSA',
      rcpt: null,
    });
    expect(afterTraceHeaders(stored as Buffer, pattern).equals(raw)).toBe(true);
    expect((await h.store.listOutbound()).map((entry) => entry.recipient)).toEqual(['erin@remote.test']);
  });

  it('gives 530 to every unauthenticated relay attempt', async () => {
    const h = await start({ profile: 'production', service: 'submissions' });
    const client = await connect(h, { tls: true });
    expect(await client.command('EHLO client.test')).toBe(EHLO_LAST_LINE);
    for (const line of [
      'MAIL FROM:<a@remote.test>',
      'RCPT TO:<@local.test:b@c.com>',
      'RCPT TO:<b@c.com@local.test>',
      'RCPT TO:<"b@c.com"@local.test>',
      'RCPT TO:<b%c.com@local.test>',
      'RCPT TO:<bob@local.test>',
      'DATA',
    ]) {
      expect(await client.command(line)).toBe('530 5.7.0 Authentication required');
    }
    expect(await countAllMessages(h.store)).toBe(0);
    expect(await h.store.listOutbound()).toEqual([]);
  });
});

describe('submission, dev profile', () => {
  it('accepts any password, creates the account, and keeps remote recipients local', async () => {
    const h = await start({ profile: 'dev', service: 'submission' });
    const client = await connect(h);
    expect(await client.command('EHLO client.test')).toBe(EHLO_LAST_LINE);
    expect(await client.command('MAIL FROM:<dev@app.test>')).toBe('530 5.7.0 Authentication required');
    expect(await client.command(`AUTH PLAIN ${plain('dev@app.test', 'whatever')}`)).toBe(
      '235 2.7.0 Authentication successful',
    );
    expect(await h.store.getUser('dev@app.test')).not.toBeNull();
    expect(await client.command('MAIL FROM:<other@app.test>')).toBe(
      '553 5.7.1 Sender address not owned by the authenticated user',
    );
    expect(await client.command('MAIL FROM:<dev@app.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<someone@gmail.test>')).toBe('250 2.1.5 Accepted');
    expect(await client.command('RCPT TO:<@relay.test:b@c.com>')).toBe('250 2.1.5 Accepted');
    expect(await client.command('RCPT TO:<b@c.com@local.test>')).toBe(
      '501 5.1.3 Error: Bad recipient address syntax',
    );
    expect(await data(client, 'Subject: dev\r\n\r\ncaught\r\n')).toBe(
      '250 2.6.0 Message accepted for delivery',
    );
    const pattern = traceHeaderPattern({
      from: 'dev@app.test',
      helo: 'client.test',
      withType: 'ESMTPA',
      rcpt: null,
    });
    const [caught] = await inbox(h.store, 'someone@gmail.test');
    expect(afterTraceHeaders(caught as Buffer, pattern).toString()).toBe('Subject: dev\r\n\r\ncaught\r\n');
    expect(await inbox(h.store, 'b@c.com')).toHaveLength(1);
    expect(await h.store.listOutbound()).toEqual([]);
  });

  it('refuses a login name that is not an address (535)', async () => {
    const h = await start({ profile: 'dev', service: 'submission' });
    const client = await connect(h);
    expect(await client.command('EHLO client.test')).toBe(EHLO_LAST_LINE);
    expect(await client.command(`AUTH PLAIN ${plain('notanaddress', 'x')}`)).toBe(
      '535 5.7.8 Authentication credentials invalid',
    );
  });
});
