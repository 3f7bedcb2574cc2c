/**
 * Issue 5 "Done when": in the production profile, mail submitted with AUTH on the submission port
 * to a remote address reaches a local stand-in MX (a second minimail, production profile, owning
 * remote.test) DKIM-signed with the key `minimail dns` prints, and mail to an address the stand-in
 * refuses comes back to the sender's INBOX as an RFC 3464 DSN. Then: a SIGKILL in the middle of a
 * delivery ends in delivery after restart, and the queue survives restarts. No DNS anywhere:
 * MINIMAIL_RELAY_RESOLVE_TO answers every lookup with 127.0.0.1, MINIMAIL_RELAY_PORT names the port.
 */
import net from 'node:net';
import nodemailer from 'nodemailer';
import { checkInbound, staticResolver } from '@minimail/smtp';
import { openStore } from '@minimail/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storePath } from '../src/paths.js';
import { cliEnv, freePort, REPLY, runCli, startServer, tempDataDir, type RunningServer } from './support.js';

interface Site {
  data: ReturnType<typeof tempDataDir>;
  env: NodeJS.ProcessEnv;
  smtpPort: number;
  submissionPort: number;
}

const servers: RunningServer[] = [];
const dirs: Array<ReturnType<typeof tempDataDir>> = [];

async function site(hostname: string, extra: Record<string, string> = {}): Promise<Site> {
  const data = tempDataDir();
  dirs.push(data);
  const smtpPort = await freePort();
  const submissionPort = await freePort();
  const env = cliEnv(data.dir, {
    MINIMAIL_PROFILE: 'production',
    MINIMAIL_HOSTNAME: hostname,
    MINIMAIL_BIND: '127.0.0.1',
    MINIMAIL_SMTP_PORT: String(smtpPort),
    MINIMAIL_SUBMISSION_PORT: String(submissionPort),
    MINIMAIL_RELAY_RESOLVE_TO: '127.0.0.1',
    MINIMAIL_RETRY_SCHEDULE: '1s',
    MINIMAIL_RELAY_LEASE: '2s',
    ...extra,
  });
  return { data, env, smtpPort, submissionPort };
}

async function cli(target: Site, args: string[]): Promise<string> {
  const result = await runCli(args, target.env);
  expect(result, `minimail ${args.join(' ')}`).toMatchObject({ code: 0, stderr: '' });
  return result.stdout;
}

async function serve(target: Site, services: string): Promise<RunningServer> {
  const server = await startServer(['--services', services], target.env);
  servers.push(server);
  return server;
}

/** Bodies in an address's INBOX, read through a second store handle while the server runs. */
async function inbox(target: Site, address: string): Promise<string[]> {
  const store = openStore({ path: storePath(target.data.dir) });
  try {
    const user = await store.getUser(address);
    const mailbox = user === null ? null : await store.getMailbox(user.id, 'INBOX');
    if (mailbox === null) return [];
    const messages = await store.listMessages(mailbox.id);
    return Promise.all(messages.map(async (m) => (await store.readBody(m.bodyHash)).toString('latin1')));
  } finally {
    await store.close();
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== null) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Submits with AUTH over STARTTLS (production: no plaintext AUTH), like a mail client on 1587. */
async function submit(target: Site, to: string[], subject: string): Promise<void> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: target.submissionPort,
    secure: false,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user: 'alice@local.test', pass: 'alice-pw' },
  });
  try {
    const info = await transport.sendMail({
      from: 'Alice <alice@local.test>',
      to,
      subject,
      text: `${subject} body`,
    });
    expect(info.response).toBe(REPLY.smtpDelivered);
  } finally {
    transport.close();
  }
}

/** The sending site: local.test with alice and a DKIM key; returns the DKIM TXT from `minimail dns`. */
async function sendingSite(relayPort: number): Promise<{ site: Site; dkimName: string; dkimValue: string }> {
  const sender = await site('mail.local.test', { MINIMAIL_RELAY_PORT: String(relayPort) });
  await cli(sender, ['domain', 'add', 'local.test']);
  await cli(sender, ['user', 'add', 'alice@local.test', '--password', 'alice-pw']);
  expect(await cli(sender, ['dkim', 'generate', 'local.test', '--selector', 'e2e'])).toMatch(
    /^e2e\._domainkey\.local\.test\. IN TXT \( "v=DKIM1; k=rsa; p=/,
  );
  const dns = await cli(sender, ['dns', 'local.test']);
  expect(dns).toContain('local.test. 3600 IN MX 10 mail.local.test.\n');
  expect(dns).toContain('local.test. 3600 IN TXT "v=spf1 mx -all"\n');
  expect(dns).toMatch(/^_dmarc\.local\.test\. 3600 IN TXT "v=DMARC1; p=quarantine;/m);
  expect(dns).toContain('autoconfig.local.test. 3600 IN CNAME mail.local.test.\n');
  expect(dns).toContain('_submission._tcp.local.test. 3600 IN SRV 0 1 587 mail.local.test.\n');
  const record = /^(e2e\._domainkey\.local\.test)\. 3600 IN TXT \( (.+) \)$/m.exec(dns);
  expect(record).not.toBeNull();
  // Zone-file character-strings are concatenated into one TXT value (RFC 7208 3.3 / RFC 6376 3.6.2.2).
  const value = [...record![2]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join('');
  return { site: sender, dkimName: record![1]!, dkimValue: value };
}

/** The stand-in remote MX: a second minimail that owns remote.test and has one user, bob. */
async function remoteSite(): Promise<Site> {
  const remote = await site('mx.remote.test');
  await cli(remote, ['domain', 'add', 'remote.test']);
  await cli(remote, ['user', 'add', 'bob@remote.test', '--password', 'bob-pw']);
  await serve(remote, 'smtp');
  return remote;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    await server.stop();
  }
  for (const dir of dirs.splice(0)) dir.cleanup();
});

describe('outbound relay (production profile, real CLI)', () => {
  let remote: Site;
  beforeEach(async () => {
    remote = await remoteSite();
  });

  it('delivers DKIM-signed mail to the stand-in MX and bounces a refused recipient as a DSN', async () => {
    const { site: sender, dkimName, dkimValue } = await sendingSite(remote.smtpPort);
    const running = await serve(sender, 'smtp,submission,relay');
    await submit(sender, ['bob@remote.test', 'nobody@remote.test'], 'over the wire');

    const [delivered] = await waitFor('delivery at the stand-in MX', async () => {
      const found = await inbox(remote, 'bob@remote.test');
      return found.length > 0 ? found : null;
    });
    expect(delivered).toMatch(/^Return-Path: <alice@local\.test>\r\n/);
    // The stand-in ran its own inbound checks (no DNS: its resolver knows no TXT records).
    expect(delivered).toMatch(/\r\nAuthentication-Results: mx\.remote\.test;\r\n/);
    expect(delivered).toMatch(/\r\nDKIM-Signature: [^]*d=local\.test;[^]*s=e2e;/);
    expect(delivered).toContain('Subject: over the wire\r\n');

    // The signature verifies against exactly the record `minimail dns` printed.
    const verdict = await checkInbound(
      Buffer.from(delivered!, 'latin1'),
      { ip: '127.0.0.1', helo: 'mail.local.test', sender: 'alice@local.test' },
      'verifier.test',
      {
        resolver: staticResolver('127.0.0.1', { [dkimName]: [[dkimValue]] }),
        rejectDmarcFailures: false,
      },
    );
    expect(verdict.summary.dkim).toEqual(['local.test:pass']);

    const [dsn] = await waitFor('the DSN in alice INBOX', async () => {
      const found = await inbox(sender, 'alice@local.test');
      return found.length > 0 ? found : null;
    });
    expect(dsn).toMatch(/^Return-Path: <>\r\n/);
    expect(dsn).toContain('From: Mail Delivery System <MAILER-DAEMON@mail.local.test>\r\n');
    expect(dsn).toContain('Subject: Undelivered Mail Returned to Sender\r\n');
    expect(dsn).toMatch(/Content-Type: multipart\/report; report-type=delivery-status;/);
    expect(dsn).toMatch(
      /Final-Recipient: rfc822; nobody@remote\.test\r\nAction: failed\r\nStatus: 5\.1\.1\r\nRemote-MTA: dns; mx\.remote\.test\r\nDiagnostic-Code: smtp; 550 5\.1\.1 No such user here\r\n/,
    );
    expect(dsn).toContain('Subject: over the wire\r\n');

    // The admin sees the failed entry, and can retry or drop it (server stopped: no redelivery).
    running.kill('SIGTERM');
    expect(await running.exited).toMatchObject({ code: 0 });
    const list = await cli(sender, ['queue', 'list']);
    const [line, ...more] = list.trim().split('\n');
    expect(more).toEqual([]);
    const fields = line!.split('\t');
    expect(fields.slice(1, 3)).toEqual(['failed', '1']);
    expect(fields.slice(4, 6)).toEqual(['alice@local.test', 'nobody@remote.test']);
    expect(fields[7]).toContain('550 5.1.1 No such user here');
    expect(await cli(sender, ['queue', 'retry', fields[0]!])).toBe('1 entry due now\n');
    expect((await cli(sender, ['queue', 'list'])).split('\t').slice(0, 3)).toEqual([
      fields[0],
      'queued',
      '1',
    ]);
    await cli(sender, ['queue', 'delete', fields[0]!]);
    expect(await cli(sender, ['queue', 'list'])).toBe('');
    expect(await runCli(['queue', 'delete', fields[0]!], sender.env)).toMatchObject({
      code: 1,
      stderr: `minimail: no outbound entry ${fields[0]}\n`,
    });
  });

  it('redelivers after a SIGKILL in the middle of a delivery; the queue survives restarts', async () => {
    // A remote that takes the whole message and then never answers the final dot.
    const stall = await stallingMx();
    try {
      const { site: sender } = await sendingSite(stall.port);
      const first = await serve(sender, 'submission,relay');
      await submit(sender, ['bob@remote.test'], 'survives a crash');
      await stall.messageSent;
      first.kill('SIGKILL');
      await first.exited;

      // Still queued, claimed by the dead worker.
      const listed = (await cli(sender, ['queue', 'list'])).trim().split('\t');
      expect(listed.slice(1, 3)).toEqual(['delivering', '1']);
      expect(listed[5]).toBe('bob@remote.test');

      // Restarted with the relay pointing at the real stand-in: delivered once the lease runs out.
      await serve(
        { ...sender, env: { ...sender.env, MINIMAIL_RELAY_PORT: String(remote.smtpPort) } },
        'relay',
      );
      const found = await waitFor('delivery after restart', async () => {
        const bodies = await inbox(remote, 'bob@remote.test');
        return bodies.length > 0 ? bodies : null;
      });
      expect(found).toHaveLength(1);
      expect(found[0]).toContain('Subject: survives a crash\r\n');
      await waitFor('an empty queue', async () =>
        (await cli(sender, ['queue', 'list'])) === '' ? true : null,
      );
    } finally {
      stall.close();
    }
  });
});

/**
 * A scripted remote MX that accepts everything up to the end of DATA and then goes silent, so the
 * sending server is caught mid-delivery: the message sent, no 250 received.
 */
async function stallingMx(): Promise<{ port: number; messageSent: Promise<void>; close(): void }> {
  let sent: () => void = () => undefined;
  const messageSent = new Promise<void>((resolve) => (sent = resolve));
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let inData = false;
    let buffer = '';
    socket.write('220 stall.test ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      if (inData) {
        if (buffer.includes('\r\n.\r\n')) sent();
        return;
      }
      let end: number;
      while ((end = buffer.indexOf('\r\n')) !== -1) {
        const line = buffer.slice(0, end).toUpperCase();
        buffer = buffer.slice(end + 2);
        if (line.startsWith('EHLO')) socket.write('250-stall.test\r\n250 8BITMIME\r\n');
        else if (line === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
          return;
        } else socket.write('250 OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    messageSent,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}
