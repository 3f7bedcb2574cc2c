import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_MESSAGE_SIZE, TRACE_HEADROOM } from './limits.js';
import { staticResolver } from './outbound/resolver.js';
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

let harness: Harness | null = null;
const clients: RawSmtpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await harness?.close();
  harness = null;
});

/** The last line of the EHLO reply (RFC 1870 SIZE) of the server the current test started. */
let ehloLastLine = '';

async function start(options: Omit<HarnessOptions, 'service'>): Promise<Harness> {
  harness = await startHarness({ service: 'mx', ...options });
  ehloLastLine = `250 SIZE ${options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE}`;
  return harness;
}

/** A raw client past the greeting and EHLO. */
async function session(h: Harness): Promise<RawSmtpClient> {
  const client = await RawSmtpClient.connect(h.port);
  clients.push(client);
  expect((await client.reply()).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
  expect(await client.command('EHLO client.test')).toBe(ehloLastLine);
  return client;
}

/** Sends DATA with the given (already dot-stuffed) body and returns the final reply line. */
async function data(client: RawSmtpClient, body: string): Promise<string> {
  expect(await client.command('DATA')).toBe('354 End data with <CR><LF>.<CR><LF>');
  client.sendRaw(body + '.\r\n');
  return (await client.reply()).last;
}

const MESSAGE = 'From: alice@remote.test\r\nTo: bob@local.test\r\nSubject: hi\r\n\r\nHello Bob\r\n';

/** Production directory: a user, an alias to it, and a catch-all domain. */
async function seedProduction(h: Harness): Promise<void> {
  await h.store.addDomain('local.test');
  await h.store.addUser('bob@local.test', 'bob-password');
  await h.store.addAlias('info@local.test', 'bob@local.test');
  await h.store.addDomain('catch.test');
  await h.store.addUser('all@catch.test', 'all-password');
  await h.store.addAlias('@catch.test', 'all@catch.test');
}

describe.each(['dev', 'production'] as const)('MX (%s profile)', (profile) => {
  it('greets and advertises SIZE, PIPELINING, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, DSN, no AUTH', async () => {
    const h = await start({ profile, maxMessageSize: 1_000_000 });
    const client = await RawSmtpClient.connect(h.port);
    clients.push(client);
    expect((await client.reply()).lines).toEqual([`220 ${HOSTNAME} ESMTP minimail`]);
    client.send('EHLO client.test');
    expect((await client.reply()).lines).toEqual([
      `250-${HOSTNAME} Hello [127.0.0.1]`,
      '250-PIPELINING',
      '250-8BITMIME',
      '250-SMTPUTF8',
      '250-ENHANCEDSTATUSCODES',
      '250-DSN',
      '250 SIZE 1000000',
    ]);
    expect(await client.command('AUTH PLAIN AGJvYgBwdw==')).toBe('500 5.5.2 Error: command not recognized');
    expect(await client.command('QUIT')).toBe('221 2.0.0 Bye');
  });

  it('delivers a nodemailer message byte for byte, with Return-Path and Received added', async () => {
    const h = await start({ profile });
    if (profile === 'production') await seedProduction(h);
    // 8-bit text and a line starting with a dot (nodemailer dot-stuffs it, the server unstuffs).
    const raw = Buffer.from(`${MESSAGE}.leading dot\r\ncaf\u00e9\r\n`, 'utf8');
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: h.port,
      secure: false,
      name: 'client.test',
    });
    const info = await transport.sendMail({
      envelope: { from: 'alice@remote.test', to: ['bob@local.test'] },
      raw,
    });
    transport.close();
    expect(info.accepted).toEqual(['bob@local.test']);
    expect(info.response).toBe('250 2.6.0 Message accepted for delivery');
    const stored = await inbox(h.store, 'bob@local.test');
    expect(stored).toHaveLength(1);
    const pattern = traceHeaderPattern({
      from: 'alice@remote.test',
      helo: 'client.test',
      withType: 'ESMTP',
      rcpt: 'bob@local.test',
    });
    expect(afterTraceHeaders(stored[0] as Buffer, pattern).equals(raw)).toBe(true);
    expect(await h.store.listOutbound()).toEqual([]);
  });

  it('stores bare LF and bare CR line endings as CRLF', async () => {
    const h = await start({ profile });
    if (profile === 'production') await seedProduction(h);
    const client = await session(h);
    expect(await client.command('MAIL FROM:<>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<bob@local.test>')).toBe('250 2.1.5 Accepted');
    expect(await data(client, 'Subject: lf\n\nline one\nline two\rend\r\n')).toBe(
      '250 2.6.0 Message accepted for delivery',
    );
    const [stored] = await inbox(h.store, 'bob@local.test');
    const pattern = traceHeaderPattern({
      from: '',
      helo: 'client.test',
      withType: 'ESMTP',
      rcpt: 'bob@local.test',
    });
    expect(afterTraceHeaders(stored as Buffer, pattern).toString('latin1')).toBe(
      'Subject: lf\r\n\r\nline one\r\nline two\r\nend\r\n',
    );
  });

  it('answers 552 5.3.4 to an oversized message, stores nothing and keeps serving', async () => {
    const h = await start({ profile, maxMessageSize: 1000 });
    if (profile === 'production') await seedProduction(h);
    const client = await session(h);
    // RFC 1870 6.1: a declared SIZE over the limit is refused at MAIL already.
    expect(await client.command('MAIL FROM:<a@remote.test> SIZE=5000')).toBe(
      '552 5.3.4 Error: message exceeds fixed maximum message size 1000',
    );
    expect(await client.command('MAIL FROM:<a@remote.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<bob@local.test>')).toBe('250 2.1.5 Accepted');
    expect(await data(client, `Subject: big\r\n\r\n${'x'.repeat(78)}\r\n`.repeat(40))).toBe(
      '552 5.3.4 Error: message exceeds fixed maximum message size 1000',
    );
    expect(await countAllMessages(h.store)).toBe(0);
    expect(await client.command('MAIL FROM:<a@remote.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<bob@local.test>')).toBe('250 2.1.5 Accepted');
    expect(await data(client, 'Subject: small\r\n\r\nok\r\n')).toBe(
      '250 2.6.0 Message accepted for delivery',
    );
    expect(await countAllMessages(h.store)).toBe(1);
  });

  it('answers 452 4.5.3 past the recipient limit and delivers to the accepted ones', async () => {
    const h = await start({ profile, maxRecipients: 2 });
    if (profile === 'production') await seedProduction(h);
    const client = await session(h);
    expect(await client.command('MAIL FROM:<a@remote.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<bob@local.test>')).toBe('250 2.1.5 Accepted');
    expect(await client.command('RCPT TO:<x@catch.test>')).toBe('250 2.1.5 Accepted');
    expect(await client.command('RCPT TO:<y@catch.test>')).toBe('452 4.5.3 Error: too many recipients');
    expect(await data(client, 'Subject: two\r\n\r\nhi\r\n')).toBe('250 2.6.0 Message accepted for delivery');
    expect(await countAllMessages(h.store)).toBe(2);
  });

  it('delivers duplicate recipients once (same address twice, any case)', async () => {
    const h = await start({ profile });
    if (profile === 'production') await seedProduction(h);
    const client = await session(h);
    expect(await client.command('MAIL FROM:<a@remote.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<bob@local.test>')).toBe('250 2.1.5 Accepted');
    expect(await client.command('RCPT TO:<BOB@local.test>')).toBe('250 2.1.5 Accepted');
    expect(await data(client, 'Subject: dup\r\n\r\nonce\r\n')).toBe(
      '250 2.6.0 Message accepted for delivery',
    );
    expect(await inbox(h.store, 'bob@local.test')).toHaveLength(1);
    expect(await countAllMessages(h.store)).toBe(1);
  });

  it('answers 451 4.3.0 when the store fails and leaves nothing stored', async () => {
    const h = await start({ profile });
    if (profile === 'production') await seedProduction(h);
    const client = await session(h);
    expect(await client.command('MAIL FROM:<a@remote.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<bob@local.test>')).toBe('250 2.1.5 Accepted');
    await h.store.close();
    // A store failure while resolving a recipient is temporary too, never a bounce.
    expect(await client.command('RCPT TO:<info@local.test>')).toBe(
      '451 4.3.0 Requested action aborted: local error in processing',
    );
    expect(await data(client, 'Subject: lost?\r\n\r\nno\r\n')).toBe(
      '451 4.3.0 Requested action aborted: local error in processing',
    );
    const reopened = h.reopenStore();
    expect(await countAllMessages(reopened)).toBe(0);
    expect(await reopened.listOutbound()).toEqual([]);
    const line = h.logs.find((record) => record.msg === 'smtp transaction');
    expect(line).toMatchObject({
      result: 'LOCAL_ERROR',
      from: 'a@remote.test',
      recipients: ['bob@local.test'],
    });
  });

  it('writes one log line per transaction with cid, from, recipients, size, result and ms', async () => {
    const h = await start({ profile });
    if (profile === 'production') await seedProduction(h);
    const client = await session(h);
    expect(await client.command('MAIL FROM:<a@remote.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<bob@local.test>')).toBe('250 2.1.5 Accepted');
    expect(await data(client, 'Subject: log\r\n\r\nx\r\n')).toBe('250 2.6.0 Message accepted for delivery');
    const lines = h.logs.filter((record) => record.msg === 'smtp transaction');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      service: 'mx',
      from: 'a@remote.test',
      recipients: ['bob@local.test'],
      rejected: [],
      result: 'delivered',
      size: 'Subject: log\r\n\r\nx\r\n'.length,
      copies: 1,
      queued: 0,
    });
    expect(typeof lines[0]?.cid).toBe('string');
    expect(typeof lines[0]?.ms).toBe('number');
  });

  it('logs the inbound checks results in the transaction line, not censored as a credential; their headers fit TRACE_HEADROOM', async () => {
    // No DNS: the resolver knows no records, so every check finds nothing to check against.
    const h = await start({
      profile,
      inboundAuth: { resolver: staticResolver('127.0.0.1'), rejectDmarcFailures: false },
    });
    if (profile === 'production') await seedProduction(h);
    const client = await session(h);
    expect(await client.command('MAIL FROM:<a@remote.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<bob@local.test>')).toBe('250 2.1.5 Accepted');
    const body = 'Subject: checked\r\n\r\nx\r\n';
    expect(await data(client, body)).toBe('250 2.6.0 Message accepted for delivery');
    const line = h.logs.find((record) => record.msg === 'smtp transaction');
    expect(line?.['authResults']).toEqual({ spf: 'none', dkim: ['none'], dmarc: 'none', arc: 'none' });

    const [stored] = await inbox(h.store, 'bob@local.test');
    const trace = stored!.subarray(0, stored!.length - body.length).toString('latin1');
    expect(stored!.subarray(trace.length).toString('latin1')).toBe(body);
    expect(trace.match(/^[A-Za-z-]+:/gm)).toEqual([
      'Return-Path:',
      'Received-SPF:',
      'Authentication-Results:',
      'Received:',
    ]);
    // 472 octets: written into the space collectMessage reserved, not copied with the message.
    expect(trace.length).toBeLessThanOrEqual(TRACE_HEADROOM);
  });

  it('never relays source routes, %-hacks, quoted or double-@ addresses', async () => {
    const h = await start({ profile });
    if (profile === 'production') await seedProduction(h);
    const client = await session(h);
    expect(await client.command('MAIL FROM:<a@remote.test>')).toBe('250 2.1.0 Accepted');
    // smtp-server refuses two '@' outright, quoted or not.
    expect(await client.command('RCPT TO:<b@c.com@local.test>')).toBe(
      '501 5.1.3 Error: Bad recipient address syntax',
    );
    expect(await client.command('RCPT TO:<"b@c.com"@local.test>')).toBe(
      '501 5.1.3 Error: Bad recipient address syntax',
    );
    // RFC 5321 4.1.2 / C: the source route is stripped, leaving the final (remote) address.
    const sourceRoute = await client.command('RCPT TO:<@local.test:b@c.com>');
    // A % in the local part is just a character of a local mailbox.
    const percentHack = await client.command('RCPT TO:<b%c.com@local.test>');
    if (profile === 'production') {
      expect(sourceRoute).toBe('554 5.7.1 Relay access denied');
      expect(percentHack).toBe('550 5.1.1 No such user here');
    } else {
      // Dev catches everything locally: both become local mailboxes, nothing goes out.
      expect(sourceRoute).toBe('250 2.1.5 Accepted');
      expect(percentHack).toBe('250 2.1.5 Accepted');
      expect(await data(client, 'Subject: relay?\r\n\r\nno\r\n')).toBe(
        '250 2.6.0 Message accepted for delivery',
      );
      expect(await inbox(h.store, 'b@c.com')).toHaveLength(1);
      expect(await inbox(h.store, 'b%c.com@local.test')).toHaveLength(1);
    }
    expect(await h.store.listOutbound()).toEqual([]);
  });
});

describe('MX extensions', () => {
  it('answers pipelined commands in order (RFC 2920)', async () => {
    const h = await start({ profile: 'production' });
    await seedProduction(h);
    const client = await session(h);
    client.sendRaw(
      'MAIL FROM:<a@remote.test> BODY=8BITMIME\r\nRCPT TO:<nobody@local.test>\r\nRCPT TO:<bob@local.test>\r\nDATA\r\n',
    );
    expect((await client.reply()).last).toBe('250 2.1.0 Accepted');
    expect((await client.reply()).last).toBe('550 5.1.1 No such user here');
    expect((await client.reply()).last).toBe('250 2.1.5 Accepted');
    expect((await client.reply()).last).toBe('354 End data with <CR><LF>.<CR><LF>');
    client.sendRaw('Subject: piped\r\n\r\n\xe9t\xe9\r\n.\r\nQUIT\r\n');
    expect((await client.reply()).last).toBe('250 2.6.0 Message accepted for delivery');
    expect((await client.reply()).last).toBe('221 2.0.0 Bye');
    expect(await inbox(h.store, 'bob@local.test')).toHaveLength(1);
  });

  it('takes UTF-8 addresses with SMTPUTF8 (RFC 6531) and 8-bit bodies byte for byte', async () => {
    const h = await start({ profile: 'dev' });
    const client = await session(h);
    expect(await client.command('MAIL FROM:<j\u00f6rg@remote.test> SMTPUTF8 BODY=8BITMIME')).toBe(
      '250 2.1.0 Accepted',
    );
    expect(await client.command('RCPT TO:<jos\u00e9@dev.test>')).toBe('250 2.1.5 Accepted');
    const body = Buffer.from('Subject: =?utf-8?q?caf=C3=A9?=\r\n\r\ncaf\u00e9 \u2603\r\n', 'utf8');
    expect(await client.command('DATA')).toBe('354 End data with <CR><LF>.<CR><LF>');
    client.sendRaw(Buffer.concat([body, Buffer.from('.\r\n')]));
    expect((await client.reply()).last).toBe('250 2.6.0 Message accepted for delivery');
    const [stored] = await inbox(h.store, 'jos\u00e9@dev.test');
    const pattern = traceHeaderPattern({
      from: 'j\u00f6rg@remote.test',
      helo: 'client.test',
      withType: 'ESMTP',
      rcpt: 'jos\u00e9@dev.test',
    });
    // The trace headers carry the UTF-8 addresses as UTF-8 octets; the body follows untouched.
    const text = (stored as Buffer).toString('utf8');
    const match = pattern.exec(text);
    expect(match).not.toBeNull();
    expect(text.slice(match?.[0].length)).toBe(body.toString('utf8'));
    expect((stored as Buffer).subarray(-body.length).equals(body)).toBe(true);
  });

  it('offers STARTTLS when it has a certificate; a client using it is recorded as ESMTPS', async () => {
    const h = await start({ profile: 'production', withTls: true });
    await seedProduction(h);
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: h.port,
      secure: false,
      requireTLS: true,
      name: 'client.test',
      tls: { rejectUnauthorized: false },
    });
    const raw = Buffer.from('Subject: tls\r\n\r\nsecret\r\n');
    await transport.sendMail({ envelope: { from: 'a@remote.test', to: ['bob@local.test'] }, raw });
    transport.close();
    const [stored] = await inbox(h.store, 'bob@local.test');
    const pattern = traceHeaderPattern({
      from: 'a@remote.test',
      helo: 'client.test',
      withType: 'ESMTPS',
      rcpt: 'bob@local.test',
    });
    expect(afterTraceHeaders(stored as Buffer, pattern).equals(raw)).toBe(true);
  });
});

describe('MX production policy', () => {
  it('accepts local users, aliases and catch-alls; 550 for unknown local; 554 for remote', async () => {
    const h = await start({ profile: 'production' });
    await seedProduction(h);
    const client = await session(h);
    expect(await client.command('MAIL FROM:<a@remote.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<nobody@local.test>')).toBe('550 5.1.1 No such user here');
    expect(await client.command('RCPT TO:<someone@elsewhere.test>')).toBe('554 5.7.1 Relay access denied');
    expect(await client.command('RCPT TO:<info@local.test>')).toBe('250 2.1.5 Accepted');
    expect(await client.command('RCPT TO:<anything@catch.test>')).toBe('250 2.1.5 Accepted');
    expect(await data(client, 'Subject: alias\r\n\r\nhi\r\n')).toBe(
      '250 2.6.0 Message accepted for delivery',
    );
    const [viaAlias] = await inbox(h.store, 'bob@local.test');
    const [viaCatchAll] = await inbox(h.store, 'all@catch.test');
    const pattern = traceHeaderPattern({
      from: 'a@remote.test',
      helo: 'client.test',
      withType: 'ESMTP',
      rcpt: null,
    });
    expect(afterTraceHeaders(viaAlias as Buffer, pattern).toString()).toBe('Subject: alias\r\n\r\nhi\r\n');
    expect(afterTraceHeaders(viaCatchAll as Buffer, pattern).toString()).toBe('Subject: alias\r\n\r\nhi\r\n');
    expect(await h.store.getUser('anything@catch.test')).toBeNull();
    expect(await h.store.listOutbound()).toEqual([]);
    const line = h.logs.find((record) => record.msg === 'smtp transaction');
    expect(line).toMatchObject({
      rejected: [
        { address: 'nobody@local.test', code: 550 },
        { address: 'someone@elsewhere.test', code: 554 },
      ],
    });
  });

  it('delivers the domain-less postmaster to postmaster@<hostname> when that is configured, else 550', async () => {
    const h = await start({ profile: 'production' });
    await seedProduction(h);
    const client = await session(h);
    expect(await client.command('MAIL FROM:<a@remote.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<postmaster>')).toBe('550 5.1.1 No such user here');
    await h.store.addDomain(HOSTNAME);
    await h.store.addAlias(`postmaster@${HOSTNAME}`, 'bob@local.test');
    expect(await client.command('RCPT TO:<Postmaster>')).toBe('250 2.1.5 Accepted');
    expect(await data(client, 'Subject: pm\r\n\r\nhi\r\n')).toBe('250 2.6.0 Message accepted for delivery');
    expect(await inbox(h.store, 'bob@local.test')).toHaveLength(1);
  });

  it('queues an alias that forwards to a remote address (admin-configured forwarding)', async () => {
    const h = await start({ profile: 'production' });
    await seedProduction(h);
    await h.store.addAlias('fwd@local.test', 'carol@remote.test');
    const client = await session(h);
    expect(await client.command('MAIL FROM:<a@remote.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<fwd@local.test>')).toBe('250 2.1.5 Accepted');
    expect(await data(client, 'Subject: fwd\r\n\r\nhi\r\n')).toBe('250 2.6.0 Message accepted for delivery');
    const queued = await h.store.listOutbound();
    expect(queued.map((entry) => [entry.sender, entry.recipient])).toEqual([
      ['a@remote.test', 'carol@remote.test'],
    ]);
  });
});

describe('MX dev profile', () => {
  it('creates the mailbox of any address on first delivery', async () => {
    const h = await start({ profile: 'dev' });
    expect(await h.store.getUser('new@anything.test')).toBeNull();
    const client = await session(h);
    expect(await client.command('MAIL FROM:<a@remote.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<New@Anything.test>')).toBe('250 2.1.5 Accepted');
    expect(await client.command('RCPT TO:<postmaster>')).toBe('250 2.1.5 Accepted');
    expect(await data(client, 'Subject: dev\r\n\r\nhi\r\n')).toBe('250 2.6.0 Message accepted for delivery');
    expect(await inbox(h.store, 'new@anything.test')).toHaveLength(1);
    expect(await inbox(h.store, `postmaster@${HOSTNAME}`)).toHaveLength(1);
  });
});
