import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { openStore, type MailStore } from '@minimail/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMxServer } from '../mx.js';
import type { SmtpListener } from '../server-options.js';
import { inbox } from '../test-support/harness.js';
import { dkimRecordName, dkimRecordValue, generateDkimKey } from '../outbound/dkim-keys.js';
import { signMessage } from '../outbound/dkim-sign.js';
import { missingRecord, staticResolver, type DnsResolver } from '../outbound/resolver.js';
import type { DkimKey } from '@minimail/store';

const KEY: DkimKey = {
  ...generateDkimKey('rsa-sha256', 'test1'),
  domain: 'sender.test',
  createdAt: new Date(),
};

/** The sender domain's DNS, served from a table: DKIM key, SPF allowing loopback, DMARC p=reject. */
const TXT: Record<string, string> = {
  [dkimRecordName(KEY)]: dkimRecordValue(KEY),
  'sender.test': 'v=spf1 ip4:127.0.0.1 -all',
  '_dmarc.sender.test': 'v=DMARC1; p=reject',
};
const resolver: DnsResolver = {
  ...staticResolver('127.0.0.1'),
  resolveTxt: (name) => {
    const value = TXT[name];
    return value === undefined ? Promise.reject(missingRecord(name, 'TXT')) : Promise.resolve([[value]]);
  },
};

let dir: string;
let store: MailStore;
let listener: SmtpListener | null = null;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'minimail-inbound-auth-'));
  store = openStore({ path: join(dir, 'minimail.sqlite') });
  await store.addDomain('local.test');
  await store.addUser('bob@local.test', 'pw');
});

afterEach(async () => {
  await listener?.close();
  listener = null;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startMx(rejectDmarcFailures: boolean): Promise<number> {
  listener = createMxServer({
    store,
    logger: pino({ level: 'silent' }),
    hostname: 'mx.local.test',
    profile: 'production',
    tls: null,
    inboundAuth: { resolver, rejectDmarcFailures },
  });
  return listener.listen(0, '127.0.0.1');
}

async function send(port: number, envelopeFrom: string, raw: Buffer): Promise<string> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    name: 'client.sender.test',
  });
  try {
    const info = await transport.sendMail({ envelope: { from: envelopeFrom, to: ['bob@local.test'] }, raw });
    return info.response;
  } catch (error) {
    return (error as { response?: string }).response ?? String(error);
  } finally {
    transport.close();
  }
}

const message = (from: string): Buffer =>
  Buffer.from(
    `From: ${from}\r\nTo: bob@local.test\r\nSubject: checked\r\nMessage-ID: <m1@sender.test>\r\n\r\nBody\r\n`,
  );

/** The MX's exact answer to DATA when the message is stored (replies.ts DELIVERED). */
const DELIVERED = '250 2.6.0 Message accepted for delivery';

describe('inbound SPF/DKIM/DMARC checks on the MX', () => {
  it('records dkim=pass, spf=pass and dmarc=pass for mail signed by the sender domain test key', async () => {
    const port = await startMx(true);
    const signed = await signMessage(message('Sender <alice@sender.test>'), KEY);
    expect(await send(port, 'alice@sender.test', signed)).toBe(DELIVERED);
    const [stored] = await inbox(store, 'bob@local.test');
    const text = stored!.toString();
    const headers = text.slice(0, text.indexOf('\r\nDKIM-Signature:'));
    expect(headers).toMatch(/^Return-Path: <alice@sender\.test>\r\nReceived-SPF: pass /);
    const results = /Authentication-Results: mx\.local\.test;\r\n([^]*?)\r\nReceived: /.exec(headers)?.[1];
    expect(results).toBeDefined();
    expect(results).toMatch(
      /^ dkim=pass header\.i=@sender\.test header\.s=test1 header\.a=rsa-sha256 header\.b=\S+;$/m,
    );
    expect(results).toMatch(
      /^ spf=pass \(mx\.local\.test: domain of alice@sender\.test designates 127\.0\.0\.1 as permitted sender\) smtp\.mailfrom=alice@sender\.test smtp\.helo=client\.sender\.test;$/m,
    );
    expect(results).toMatch(
      /^ dmarc=pass \(p=REJECT arc=none\) header\.from=sender\.test header\.d=sender\.test$/m,
    );
  });

  it('refuses a DMARC p=reject failure at DATA with 550 5.7.1 when asked, and stores nothing', async () => {
    const port = await startMx(true);
    // Claims to be sender.test in From, but is neither signed by it nor sent from its SPF domain.
    const reply = await send(port, 'someone@elsewhere.test', message('Boss <ceo@sender.test>'));
    expect(reply).toBe('550 5.7.1 Message rejected by the DMARC policy of the sender domain');
    expect(await inbox(store, 'bob@local.test')).toEqual([]);
  });

  it('stores the same failure with dmarc=fail when rejecting is off', async () => {
    const port = await startMx(false);
    expect(await send(port, 'someone@elsewhere.test', message('Boss <ceo@sender.test>'))).toBe(DELIVERED);
    const [stored] = await inbox(store, 'bob@local.test');
    expect(stored!.toString()).toMatch(
      /^Return-Path: <someone@elsewhere\.test>\r\nReceived-SPF: none [^]*\r\nAuthentication-Results: mx\.local\.test;\r\n dkim=none \(message not signed\);\r\n spf=none [^\r]*;\r\n dmarc=fail \(p=REJECT arc=none\) header\.from=sender\.test header\.d=sender\.test\r\nReceived: from client\.sender\.test /,
    );
  });

  it('drops a forged Authentication-Results carrying our authserv-id (RFC 8601 5)', async () => {
    const port = await startMx(false);
    const forged = Buffer.concat([
      Buffer.from('Authentication-Results: mx.local.test;\r\n dkim=pass header.d=sender.test\r\n'),
      message('Boss <ceo@sender.test>'),
    ]);
    expect(await send(port, 'someone@elsewhere.test', forged)).toBe(DELIVERED);
    const text = (await inbox(store, 'bob@local.test'))[0]!.toString();
    expect(text.match(/^Authentication-Results: mx\.local\.test;/gm)).toHaveLength(1);
    expect(text).toMatch(/dmarc=fail/);
    expect(text).not.toContain('dkim=pass header.d=sender.test');
  });
});
