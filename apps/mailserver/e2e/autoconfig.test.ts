/**
 * Issue 18, client setup: the autoconfiguration answers of a running `minimail serve` advertise
 * exactly its listeners, and a client that follows them (imapflow for IMAP, nodemailer for
 * submission) logs in, sends and reads mail. The documents' formats are tested in packages/http.
 */
import http from 'node:http';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, freePort, startServer, tempDataDir, type RunningServer } from './support.js';

const USER = 'reader@example.test';

function getWithHost(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

/** `<incomingServer type="imap">...</incomingServer>` blocks as objects of their child elements. */
function servers(xml: string): Array<Record<string, string>> {
  return [...xml.matchAll(/<(incomingServer|outgoingServer) type="(\w+)">([\s\S]*?)<\/\1>/g)].map((m) => ({
    type: m[2]!,
    ...Object.fromEntries([...m[3]!.matchAll(/<(\w+)>([^<]*)<\/\1>/g)].map((f) => [f[1]!, f[2]!])),
  }));
}

describe('client autoconfiguration from the running configuration', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: RunningServer | undefined;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    for (const name of ['http', 'imap', 'imaps', 'pop3', 'submission', 'submissions'])
      ports[name] = await freePort();
    data = tempDataDir();
    server = await startServer(
      [],
      cliEnv(data.dir, {
        MINIMAIL_HTTP_PORT: String(ports['http']),
        MINIMAIL_IMAP_PORT: String(ports['imap']),
        MINIMAIL_IMAPS_PORT: String(ports['imaps']),
        MINIMAIL_POP3_PORT: String(ports['pop3']),
        MINIMAIL_SUBMISSION_PORT: String(ports['submission']),
        MINIMAIL_SUBMISSIONS_PORT: String(ports['submissions']),
      }),
    );
  });
  afterAll(async () => {
    await server?.stop();
    data?.cleanup();
  });

  it('Thunderbird autoconfig names the listeners that are on, and they work as advertised', async () => {
    const base = `http://127.0.0.1:${ports['http']}`;
    const answer = await fetch(`${base}/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=${USER}`);
    expect([answer.status, answer.headers.get('content-type')]).toEqual([
      200,
      'application/xml; charset=utf-8',
    ]);
    const xml = await answer.text();
    const common = {
      hostname: 'localhost',
      authentication: 'password-cleartext',
      username: '%EMAILADDRESS%',
    };
    expect(servers(xml)).toEqual([
      { type: 'imap', ...common, port: String(ports['imaps']), socketType: 'SSL' },
      { type: 'pop3', ...common, port: String(ports['pop3']), socketType: 'STARTTLS' },
      { type: 'smtp', ...common, port: String(ports['submissions']), socketType: 'SSL' },
    ]);
    // The other path and the Host-derived domain give the same document.
    // (node:http, because fetch does not let a caller set Host.)
    const plain = await getWithHost(ports['http']!, '/mail/config-v1.1.xml', 'autoconfig.example.test');
    expect(plain).toEqual({ status: 200, body: xml });
    expect(await getWithHost(ports['http']!, '/mail/config-v1.1.xml', '127.0.0.1')).toEqual({
      status: 404,
      body: 'not found\n',
    });

    // Follow the advertisement: submission with implicit TLS, then IMAP with implicit TLS.
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: ports['submissions'],
      secure: true,
      auth: { user: USER, pass: 'any' },
      tls: { rejectUnauthorized: false },
    });
    await transport.sendMail({ from: USER, to: USER, subject: 'sent as advertised', text: 'hello\r\n' });
    transport.close();
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: ports['imaps']!,
      secure: true,
      auth: { user: USER, pass: 'any' },
      logger: false,
      tls: { rejectUnauthorized: false },
    });
    await imap.connect();
    const lock = await imap.getMailboxLock('INBOX');
    try {
      const found = await imap.fetchAll('1:*', { envelope: true });
      expect(found.map((m) => m.envelope?.subject)).toEqual(['sent as advertised']);
    } finally {
      lock.release();
      await imap.logout();
    }
  });

  it('Outlook autodiscover and the Apple profile advertise the same', async () => {
    const base = `http://127.0.0.1:${ports['http']}`;
    const pox = await fetch(`${base}/autodiscover/autodiscover.xml`, {
      method: 'POST',
      headers: { host: 'autodiscover.example.test', 'content-type': 'text/xml' },
      body: `<Autodiscover><Request><EMailAddress>${USER}</EMailAddress></Request></Autodiscover>`,
    });
    expect(pox.status).toBe(200);
    const text = await pox.text();
    expect(
      [...text.matchAll(/<Type>(\w+)<\/Type>\s*<Server>([^<]+)<\/Server>\s*<Port>(\d+)<\/Port>/g)].map((m) =>
        m.slice(1),
      ),
    ).toEqual([
      ['IMAP', 'localhost', String(ports['imaps'])],
      ['POP3', 'localhost', String(ports['pop3'])],
      ['SMTP', 'localhost', String(ports['submissions'])],
    ]);
    const apple = await fetch(`${base}/mail/apple.mobileconfig?emailaddress=${USER}`);
    expect([
      apple.status,
      apple.headers.get('content-type'),
      apple.headers.get('content-disposition'),
    ]).toEqual([200, 'application/x-apple-aspen-config', 'attachment; filename="example.test.mobileconfig"']);
    expect(await apple.text()).toMatch(
      new RegExp(`<key>IncomingMailServerPortNumber</key>\\s*<integer>${ports['imaps']}</integer>`),
    );
  });
});
