/**
 * DSN (RFC 3461) end to end: Python's smtplib sends NOTIFY, RET, ENVID and ORCPT; the MX and
 * submission keep them (a delivered notice for a local recipient, the parameters with each queue
 * entry); the relay passes them to a next hop that offers DSN, reports "relayed" to one that does
 * not, and honours NOTIFY and RET in its bounces (RFC 3464 multipart/report).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pino from 'pino';
import type { MailStore } from '@minimail/store';
import { afterEach, describe, expect, it } from 'vitest';
import { inbox, startHarness, type Harness } from './test-support/harness.js';
import { startRemoteMx, type RemoteMx } from './test-support/remote-mx.js';
import { staticResolver } from './outbound/resolver.js';
import { createRelayWorker } from './outbound/worker.js';

const run = promisify(execFile);

let harness: Harness | null = null;
let remote: RemoteMx | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
  await remote?.close();
  remote = null;
});

/** Python smtplib: one message with DSN options; `tls` does STARTTLS (unverified) and AUTH PLAIN. */
async function pythonSend(options: {
  port: number;
  from: string;
  to: string;
  mailOptions: string[];
  rcptOptions: string[];
  login?: [string, string];
}): Promise<string> {
  const script = `
import smtplib, ssl, sys, json
a = json.loads(sys.argv[1])
s = smtplib.SMTP('127.0.0.1', a['port'], timeout=30)
s.ehlo('client.test')
if a.get('login'):
    s.starttls(context=ssl._create_unverified_context())
    s.ehlo('client.test')
    s.login(*a['login'])
msg = ('From: <%s>\\r\\nTo: <%s>\\r\\nSubject: dsn test\\r\\nMessage-ID: <dsn-1@client.test>\\r\\n\\r\\nHello\\r\\n' % (a['from'], a['to']))
refused = s.sendmail(a['from'], [a['to']], msg, mail_options=a['mailOptions'], rcpt_options=a['rcptOptions'])
print('DSN' if s.has_extn('dsn') else 'NODSN', json.dumps(refused))
s.quit()
`;
  const { stdout } = await run('python3', ['-c', script, JSON.stringify(options)], { timeout: 60_000 });
  return stdout.trim();
}

describe('DSN at the MX (RFC 3461, Python smtplib)', () => {
  it('a local recipient with NOTIFY=SUCCESS: delivered, and the sender gets a "delivered" report', async () => {
    const h = (harness = await startHarness({ service: 'mx', profile: 'production' }));
    await h.store.addDomain('local.test');
    await h.store.addUser('alice@local.test', 'pw');
    await h.store.addUser('bob@local.test', 'pw');
    expect(
      await pythonSend({
        port: h.port,
        from: 'alice@local.test',
        to: 'bob@local.test',
        mailOptions: ['RET=HDRS', 'ENVID=QQ314159'],
        rcptOptions: ['NOTIFY=SUCCESS,FAILURE', 'ORCPT=rfc822;Bob+2Bdsn@local.test'],
      }),
    ).toBe('DSN {}');
    expect((await inbox(h.store, 'bob@local.test')).map((m) => m.toString())).toEqual([
      expect.stringContaining('\r\nSubject: dsn test\r\n'),
    ]);
    const [report] = (await inbox(h.store, 'alice@local.test')).map((m) => m.toString());
    expect(report).toMatch(
      /^Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx\.test>\r\nTo: <alice@local\.test>\r\nSubject: Successful Mail Delivery Report\r\n/,
    );
    expect(report).toContain('Content-Type: multipart/report; report-type=delivery-status;');
    expect(report).toContain(
      [
        'Content-Type: message/delivery-status',
        'Content-Description: Delivery report',
        '',
        'Original-Envelope-Id: QQ314159',
        'Reporting-MTA: dns; mx.test',
      ].join('\r\n'),
    );
    expect(report).toContain(
      [
        'Original-Recipient: rfc822;Bob+dsn@local.test',
        'Final-Recipient: rfc822; bob@local.test',
        'Action: delivered',
        'Status: 2.0.0',
      ].join('\r\n'),
    );
    // Success reports carry the headers only (RFC 3461 4.3: RET is about failures).
    expect(report).toContain('Content-Type: text/rfc822-headers');
  });

  it('refuses a bad NOTIFY with 501 and says nothing for NOTIFY=NEVER', async () => {
    const h = (harness = await startHarness({ service: 'mx', profile: 'production' }));
    await h.store.addDomain('local.test');
    await h.store.addUser('alice@local.test', 'pw');
    await h.store.addUser('bob@local.test', 'pw');
    await expect(
      pythonSend({
        port: h.port,
        from: 'alice@local.test',
        to: 'bob@local.test',
        mailOptions: [],
        rcptOptions: ['NOTIFY=SOMETIMES'],
      }),
    ).rejects.toThrow(/501.*NOTIFY parameter must be NEVER, SUCCESS, FAILURE, or DELAY/);
    expect(
      await pythonSend({
        port: h.port,
        from: 'alice@local.test',
        to: 'bob@local.test',
        mailOptions: [],
        rcptOptions: ['NOTIFY=NEVER'],
      }),
    ).toBe('DSN {}');
    expect(await inbox(h.store, 'bob@local.test')).toHaveLength(1);
    expect(await inbox(h.store, 'alice@local.test')).toEqual([]);
  });
});

describe('DSN through submission and the relay', () => {
  async function submit(rcptOptions: string[], mailOptions: string[]): Promise<MailStore> {
    const h = (harness = await startHarness({ service: 'submission', profile: 'production', withTls: true }));
    await h.store.addDomain('local.test');
    await h.store.addUser('alice@local.test', 'secret');
    expect(
      await pythonSend({
        port: h.port,
        from: 'alice@local.test',
        to: 'bob@remote.test',
        mailOptions,
        rcptOptions,
        login: ['alice@local.test', 'secret'],
      }),
    ).toBe('DSN {}');
    return h.store;
  }

  function relay(store: MailStore, port: number) {
    return createRelayWorker({
      store,
      logger: pino({ level: 'silent' }),
      hostname: 'relay.local.test',
      resolver: staticResolver('127.0.0.1'),
      mxPort: port,
      allowPrivateDestinations: true,
      retry: { delaysMs: [0], maxAgeMs: 60_000, delayNoticeAfterMs: 60_000 },
    });
  }

  it('keeps the parameters with the queue entry and passes them to a next hop that offers DSN', async () => {
    const store = await submit(
      ['NOTIFY=SUCCESS,FAILURE', 'ORCPT=rfc822;bob@remote.test'],
      ['RET=FULL', 'ENVID=ab+2Bcd+3D1'],
    );
    expect((await store.listOutbound()).map((e) => [e.recipient, e.dsn])).toEqual([
      [
        'bob@remote.test',
        { notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;bob@remote.test', ret: 'FULL', envid: 'ab+cd=1' },
      ],
    ]);
    remote = await startRemoteMx({ dsn: true });
    await relay(store, remote.port).runOnce();
    expect(remote.received.map((m) => m.dsn)).toEqual([
      {
        ret: 'FULL',
        envid: 'ab+cd=1',
        rcpt: [{ notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;bob@remote.test' }],
      },
    ]);
    // The next hop reports success itself (RFC 3461 5.2): no notice from us.
    expect(await inbox(store, 'alice@local.test')).toEqual([]);
  });

  it('reports "relayed" when the next hop does not offer DSN', async () => {
    const store = await submit(['NOTIFY=SUCCESS'], []);
    remote = await startRemoteMx();
    await relay(store, remote.port).runOnce();
    expect(remote.received).toHaveLength(1);
    const [report] = (await inbox(store, 'alice@local.test')).map((m) => m.toString());
    expect(report).toContain(
      '\r\nFinal-Recipient: rfc822; bob@remote.test\r\nAction: relayed\r\nStatus: 2.0.0\r\n',
    );
    expect(await store.listOutbound()).toEqual([]);
  });

  it('a refused recipient with RET=FULL gets the whole message back, with ENVID', async () => {
    const store = await submit(['NOTIFY=FAILURE'], ['RET=FULL', 'ENVID=env-1']);
    remote = await startRemoteMx({
      script: (stage) => (stage === 'rcpt' ? { code: 550, text: '5.1.1 no such user' } : undefined),
    });
    await relay(store, remote.port).runOnce();
    const [bounce] = (await inbox(store, 'alice@local.test')).map((m) => m.toString());
    expect(bounce).toContain('\r\nSubject: Undelivered Mail Returned to Sender\r\n');
    expect(bounce).toContain('\r\nOriginal-Envelope-Id: env-1\r\n');
    expect(bounce).toContain('\r\nAction: failed\r\nStatus: 5.1.1\r\n');
    expect(bounce).toContain(
      'Content-Type: message/rfc822\r\nContent-Description: Undelivered Message\r\n\r\n',
    );
    expect(bounce).toContain('\r\n\r\nHello\r\n');
  });

  it('NOTIFY=NEVER: a refused recipient fails quietly', async () => {
    const store = await submit(['NOTIFY=NEVER'], []);
    remote = await startRemoteMx({
      script: (stage) => (stage === 'rcpt' ? { code: 550, text: '5.1.1 no such user' } : undefined),
    });
    await relay(store, remote.port).runOnce();
    expect(await inbox(store, 'alice@local.test')).toEqual([]);
    expect((await store.listOutbound()).map((e) => [e.status, e.lastError])).toEqual([
      ['failed', '550 5.1.1 no such user'],
    ]);
  });
});
