/**
 * Sieve through the whole app: `minimail sieve` stores and activates scripts, `minimail serve`
 * runs them at delivery and serves ManageSieve on its port.
 */
import { RawClient } from '@minimail/protocol/testing';
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, freePort, REPLY, runCli, startServer, tempDataDir, type RunningServer } from './support.js';

describe('Sieve in minimail serve (dev profile)', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: RunningServer | undefined;
  let env: NodeJS.ProcessEnv;
  let smtpPort: number;
  let sievePort: number;

  beforeEach(async () => {
    data = tempDataDir();
    smtpPort = await freePort();
    sievePort = await freePort();
    env = cliEnv(data.dir, {
      MINIMAIL_SMTP_PORT: String(smtpPort),
      MINIMAIL_MANAGESIEVE_PORT: String(sievePort),
    });
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    data.cleanup();
  });

  it('`vacation on|off` writes, checks and activates a vacation script, and turns it off', async () => {
    expect(await runCli(['domain', 'add', 'example.test'], env)).toMatchObject({ code: 0 });
    expect(await runCli(['user', 'add', 'bob@example.test', '--password', 'pw'], env)).toMatchObject({
      code: 0,
    });
    expect(
      await runCli(
        ['vacation', 'bob@example.test', 'on', '--days', '3', '--subject', 'Away "until" Monday'],
        env,
        'Back on Monday.\nBob\n',
      ),
    ).toEqual({
      code: 0,
      stdout: 'vacation reply of bob@example.test is on (each sender once per 3 days)\n',
      stderr: '',
    });
    expect(await runCli(['sieve', 'bob@example.test', 'get', 'vacation'], env)).toEqual({
      code: 0,
      stdout:
        'require ["vacation"];\r\nvacation :days 3 :subject "Away \\"until\\" Monday" "Back on Monday.\r\nBob\r\n";\r\n',
      stderr: '',
    });
    expect(await runCli(['sieve', 'bob@example.test', 'list'], env)).toMatchObject({
      stdout: 'vacation\tactive\n',
    });
    expect(await runCli(['vacation', 'bob@example.test', 'on', '--days', '90', 'x'], env)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'minimail: --days must be a whole number from 1 to 30\n',
    });
    expect(await runCli(['vacation', 'bob@example.test', 'off'], env)).toEqual({
      code: 0,
      stdout: 'vacation reply of bob@example.test is off\n',
      stderr: '',
    });
    expect(await runCli(['sieve', 'bob@example.test', 'list'], env)).toMatchObject({ stdout: 'vacation\n' });
  });

  it('`sieve put/activate/list/get` then delivery files into the folder and ManageSieve lists the script', async () => {
    expect(await runCli(['domain', 'add', 'example.test'], env)).toMatchObject({ code: 0 });
    expect(await runCli(['user', 'add', 'bob@example.test', '--password', 'pw'], env)).toMatchObject({
      code: 0,
    });
    const script =
      'require ["fileinto", "mailbox"];\nif header :contains "subject" "invoice" { fileinto :create "Invoices"; }\n';
    const bad = await runCli(['sieve', 'bob@example.test', 'put', 'main'], env, 'if true {\n');
    expect(bad).toEqual({
      code: 1,
      stdout: '',
      stderr: 'minimail: script not stored: line 2: expected "}" or a command, found end of script\n',
    });
    expect(await runCli(['sieve', 'bob@example.test', 'put', 'main'], env, script)).toEqual({
      code: 0,
      stdout: 'stored main for bob@example.test\n',
      stderr: '',
    });
    expect(await runCli(['sieve', 'bob@example.test', 'activate', 'main'], env)).toMatchObject({ code: 0 });
    expect(await runCli(['sieve', 'bob@example.test', 'list'], env)).toEqual({
      code: 0,
      stdout: 'main\tactive\n',
      stderr: '',
    });
    expect(await runCli(['sieve', 'bob@example.test', 'get', 'main'], env)).toEqual({
      code: 0,
      stdout: script,
      stderr: '',
    });

    server = await startServer([], env);
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    const info = await transport.sendMail({
      from: 'shop@example.test',
      to: 'bob@example.test',
      subject: 'Your invoice',
      text: 'pay',
    });
    expect(info.response).toBe(REPLY.smtpDelivered);
    const list = await runCli(['mailbox', 'list', 'bob@example.test'], env);
    expect(list.stdout.split('\n')).toContain('Invoices\t1');
    expect(list.stdout.split('\n')).toContain('INBOX\t0');

    const c = await RawClient.connect(sievePort);
    try {
      await c.readUntil((l) => l.startsWith('OK'));
      c.send(`AUTHENTICATE "PLAIN" "${Buffer.from('\0bob@example.test\0pw').toString('base64')}"`);
      await c.expect('OK "Authenticated"');
      c.send('LISTSCRIPTS');
      await c.expect('"main" ACTIVE');
      await c.expect('OK');
    } finally {
      await c.close();
    }
  });
});
