import { execFileSync } from 'node:child_process';
import { deserializeStructure } from '@minimail/mime';
import { openStore } from '@minimail/store';
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storePath } from '../src/paths.js';
import { cliEnv, freePort, REPLY, runCli, startServer, tempDataDir, type RunningServer } from './support.js';

function hasSwaks(): boolean {
  try {
    execFileSync('swaks', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('minimail serve (dev profile)', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: RunningServer | undefined;
  let env: NodeJS.ProcessEnv;
  let smtpPort: number;

  beforeEach(async () => {
    data = tempDataDir();
    smtpPort = await freePort();
    env = cliEnv(data.dir, {
      MINIMAIL_SMTP_PORT: String(smtpPort),
      MINIMAIL_SUBMISSION_PORT: String(await freePort()),
    });
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    data.cleanup();
  });

  it('catches a message for any address and `mailbox list` shows it', async () => {
    server = await startServer([], env);
    expect(server.output()).toMatch(new RegExp(`"port":${smtpPort}`));
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    const info = await transport.sendMail({
      from: 'app@localhost',
      to: 'a@example.test',
      subject: 'hello',
      text: 'first message',
    });
    expect(info.response).toBe(REPLY.smtpDelivered);
    const list = await runCli(['mailbox', 'list', 'a@example.test'], env);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout.split('\n')[0]).toBe('INBOX\t1');

    // The MIME structure was computed once, at delivery, and stored beside the body.
    const store = openStore({ path: storePath(data.dir) });
    try {
      const user = await store.getUser('a@example.test');
      const [message] = await store.listMessages((await store.getMailbox(user!.id, 'INBOX'))!.id);
      const structure = await store.readStructure(message!.bodyHash);
      expect(deserializeStructure(structure!)).toMatchObject({
        contentType: { type: 'text', subtype: 'plain' },
      });
    } finally {
      await store.close();
    }
  });

  it.skipIf(!hasSwaks())('answers swaks with 250 (the README first message)', async () => {
    server = await startServer([], env);
    const out = execFileSync(
      'swaks',
      ['--server', `127.0.0.1:${smtpPort}`, '--to', 'a@example.test', '--from', 'me@localhost'],
      {
        encoding: 'utf8',
      },
    );
    expect(out).toMatch(/<- {2}250 /);
    expect((await runCli(['mailbox', 'list', 'a@example.test'], env)).stdout).toMatch(/^INBOX\t1\n/);
  });

  it('logs one line per SMTP transaction, without credentials', async () => {
    server = await startServer([], env);
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: 'x@localhost',
      to: ['b@example.test', 'c@example.test'],
      subject: 's',
      text: 't',
    });
    await server.waitFor(/b@example\.test/);
    const lines = server
      .output()
      .split('\n')
      .filter((line) => line.includes('b@example.test'));
    expect(lines).toHaveLength(1);

    // An authenticated submission logs its user, never its password.
    const submissionPort = Number(env['MINIMAIL_SUBMISSION_PORT']);
    const submission = nodemailer.createTransport({
      host: '127.0.0.1',
      port: submissionPort,
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'dev@example.test', pass: 'sekrit-Password-42' },
    });
    await submission.sendMail({ from: 'dev@example.test', to: 'd@example.test', subject: 's', text: 't' });
    await server.waitFor(/d@example\.test/);
    expect(server.output()).toMatch(/dev@example\.test/);
    expect(server.output()).not.toMatch(/sekrit-Password-42/);
  });

  it('stops cleanly on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      server = await startServer([], env);
      server.kill(signal);
      const exit = await server.exited;
      expect(exit.code).toBe(0);
      expect(server.output()).toMatch(/stopped cleanly/);
    }
  });

  it('runs only the services asked for, and rejects unknown ones', async () => {
    server = await startServer(['--services', 'submission'], env);
    expect(server.output()).not.toMatch(new RegExp(`"port":${smtpPort}`));
    server.kill('SIGTERM');
    await server.exited;
    const bad = await runCli(['serve', '--services', 'smtp,gopher'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'minimail: unknown service "gopher" (known: smtp, submission, relay, pop3, imap, http, managesieve)\n',
    );
  });
});
