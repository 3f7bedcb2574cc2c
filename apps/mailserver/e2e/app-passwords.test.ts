/**
 * Issue 18, app passwords: `minimail user app-password add` prints a secret that logs in to IMAP,
 * POP3 and submission in the production profile (where passwords are checked), listed by name, and
 * refused everywhere once revoked, while the main password keeps working.
 */
import tls from 'node:tls';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, freePort, runCli, startServer, tempDataDir, type RunningServer } from './support.js';

const USER = 'alice@example.test';

async function imapLogin(port: number, pass: string): Promise<boolean> {
  const imap = new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: true,
    auth: { user: USER, pass },
    logger: false,
    tls: { rejectUnauthorized: false },
  });
  try {
    await imap.connect();
    await imap.logout();
    return true;
  } catch (err) {
    if ((err as { authenticationFailed?: boolean }).authenticationFailed) return false;
    throw err;
  }
}

/** USER/PASS on POP3S; the PASS reply line. */
function pop3Pass(port: number, pass: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    let buffer = '';
    let step = 0;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      while (buffer.includes('\r\n')) {
        const line = buffer.slice(0, buffer.indexOf('\r\n'));
        buffer = buffer.slice(buffer.indexOf('\r\n') + 2);
        if (step === 0) socket.write(`USER ${USER}\r\n`);
        else if (step === 1) socket.write(`PASS ${pass}\r\n`);
        else {
          socket.end('QUIT\r\n');
          resolve(line);
        }
        step++;
      }
    });
    socket.on('error', reject);
  });
}

async function submit(port: number, pass: string): Promise<string> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: true,
    auth: { user: USER, pass },
    tls: { rejectUnauthorized: false },
  });
  try {
    const info = await transport.sendMail({
      from: USER,
      to: USER,
      subject: 'via app password',
      text: 'x\r\n',
    });
    return info.response;
  } catch (err) {
    return (err as { response?: string }).response ?? String(err);
  } finally {
    transport.close();
  }
}

describe('app passwords for IMAP, POP3 and submission', () => {
  let data: ReturnType<typeof tempDataDir>;
  let env: NodeJS.ProcessEnv;
  let server: RunningServer | undefined;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    for (const name of ['imaps', 'pop3s', 'submissions']) ports[name] = await freePort();
    data = tempDataDir();
    env = cliEnv(data.dir, {
      MINIMAIL_PROFILE: 'production',
      MINIMAIL_BIND: '127.0.0.1',
      MINIMAIL_HOSTNAME: 'mail.example.test',
      MINIMAIL_INBOUND_CHECKS: 'off',
      MINIMAIL_IMAPS_PORT: String(ports['imaps']),
      MINIMAIL_POP3S_PORT: String(ports['pop3s']),
      MINIMAIL_SUBMISSIONS_PORT: String(ports['submissions']),
    });
    for (const args of [
      ['domain', 'add', 'example.test'],
      ['user', 'add', USER, '--password', 'main-password'],
    ]) {
      expect((await runCli(args, env)).code).toBe(0);
    }
    server = await startServer([], env);
  });
  afterAll(async () => {
    await server?.stop();
    data?.cleanup();
  });

  it('adds, lists, logs in everywhere, and revokes', async () => {
    const added = await runCli(['user', 'app-password', 'add', USER, 'phone'], env);
    expect([added.code, added.stderr]).toEqual([0, '']);
    const secret = added.stdout.trim();
    expect(secret).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){4}$/);
    const listed = await runCli(['user', 'app-password', 'list', USER, '--json'], env);
    expect(JSON.parse(listed.stdout).map((p: { name: string }) => p.name)).toEqual(['phone']);

    expect(await imapLogin(ports['imaps']!, secret)).toBe(true);
    expect(await pop3Pass(ports['pop3s']!, secret)).toMatch(/^\+OK/);
    expect(await submit(ports['submissions']!, secret)).toMatch(/^250 /);

    const revoked = await runCli(['user', 'app-password', 'revoke', USER, 'phone'], env);
    expect(revoked.code).toBe(0);
    expect(await imapLogin(ports['imaps']!, secret)).toBe(false);
    expect(await pop3Pass(ports['pop3s']!, secret)).toMatch(/^-ERR/);
    expect(await submit(ports['submissions']!, secret)).toMatch(/^535 /);
    // The main password was never affected.
    expect(await imapLogin(ports['imaps']!, 'main-password')).toBe(true);
  });

  it('explains wrong use in one line', async () => {
    const missing = await runCli(['user', 'app-password', 'add', USER], env);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      'minimail: usage: minimail user app-password (add ADDRESS NAME | list ADDRESS | revoke ADDRESS NAME)\n',
    ]);
    const unknown = await runCli(['user', 'app-password', 'revoke', USER, 'tablet'], env);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'minimail: no app password named "tablet"\n']);
  });
});
