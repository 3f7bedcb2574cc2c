/**
 * Issue 3, done-when: a message sent on the SMTP port is listed and retrieved intact by curl's pop3
 * client and by Python's poplib, and DELE + QUIT removes it for good - against the real CLI.
 */
import { execFileSync } from 'node:child_process';
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, freePort, runCli, startServer, tempDataDir, type RunningServer } from './support.js';

function has(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const tools = has('curl', ['--version']) && has('python3', ['-c', 'import poplib']);
if (!tools) console.warn('SKIPPED: curl or python3 (poplib) missing; .ci/run installs them');

const POPLIB_SCRIPT = `
import poplib, sys
port = int(sys.argv[1])
box = poplib.POP3('127.0.0.1', port, timeout=10)
box.user('a@example.test'); box.pass_('any')
count, size = box.stat()
resp, lines, octets = box.retr(1)
sys.stdout.buffer.write(("%d %d %d\\n" % (count, size, octets)).encode())
sys.stdout.buffer.write(b"\\r\\n".join(lines) + b"\\r\\n")
box.dele(1)
box.quit()
`;

describe.skipIf(!tools)('POP3 through the real CLI (dev profile)', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: RunningServer | undefined;
  let env: NodeJS.ProcessEnv;
  let smtpPort: number;
  let pop3Port: number;

  beforeEach(async () => {
    data = tempDataDir();
    smtpPort = await freePort();
    pop3Port = await freePort();
    env = cliEnv(data.dir, { MINIMAIL_SMTP_PORT: String(smtpPort), MINIMAIL_POP3_PORT: String(pop3Port) });
  });
  afterEach(async () => {
    await server?.stop();
    data.cleanup();
  });

  it('is listed and retrieved intact by curl and poplib, and DELE + QUIT removes it', async () => {
    server = await startServer([], env);
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    const body = 'Line one\r\n.leading dot\r\nLast line\r\n';
    await transport.sendMail({ from: 'app@localhost', to: 'a@example.test', subject: 'pop me', text: body });

    const list = execFileSync('curl', ['-s', `pop3://127.0.0.1:${pop3Port}/`, '-u', 'a@example.test:any'], {
      encoding: 'latin1',
    });
    const [listLine] = list.split('\r\n');
    expect(listLine).toMatch(/^1 \d+$/);
    const size = Number(listLine!.split(' ')[1]);

    const viaCurl = execFileSync('curl', [
      '-s',
      `pop3://127.0.0.1:${pop3Port}/1`,
      '-u',
      'a@example.test:any',
    ]);
    expect(viaCurl.length).toBe(size); // the octet count LIST promised, exactly
    expect(viaCurl.toString('latin1')).toContain('Subject: pop me\r\n');
    expect(viaCurl.toString('latin1')).toContain('\r\n.leading dot\r\n'); // un-stuffed by curl

    const viaPython = execFileSync('python3', ['-c', POPLIB_SCRIPT, String(pop3Port)]);
    const newline = viaPython.indexOf(0x0a);
    expect(viaPython.subarray(0, newline).toString()).toBe(`1 ${size} ${size}`);
    expect(viaPython.subarray(newline + 1).equals(viaCurl)).toBe(true); // byte for byte the same message

    // poplib sent DELE 1 and QUIT: the message is gone for good.
    const after = await runCli(['mailbox', 'list', 'a@example.test'], env);
    expect(after.stdout.split('\n')[0]).toBe('INBOX\t0');
    const empty = execFileSync('curl', ['-s', `pop3://127.0.0.1:${pop3Port}/`, '-u', 'a@example.test:any'], {
      encoding: 'latin1',
    });
    expect(empty.trim()).toBe(''); // no messages listed
  });
});
