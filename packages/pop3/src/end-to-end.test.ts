import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { deliver, inboxId, startHarness } from './test-support/harness.js';
import type { Harness } from './test-support/harness.js';

const run = promisify(execFile);

let harness: Harness | null = null;

afterEach(async () => {
  await harness?.close();
  harness = null;
});

const ADDRESS = 'a@example.test';
/** 8-bit text, a line starting with a dot (stuffed on the wire both ways), a long line. */
const ORIGINAL = Buffer.from(
  [
    'From: sender@remote.test',
    `To: ${ADDRESS}`,
    'Subject: end to end',
    'Message-ID: <e2e@remote.test>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Gr\u00fc\u00dfe aus M\u00fcnchen',
    '.a line that starts with a dot',
    '..and one with two',
    'x'.repeat(900),
    '',
  ].join('\r\n'),
  'utf8',
);

async function commandExists(command: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    console.warn(
      `SKIPPED: ${command} is not installed (.ci/run installs it); the ${command} client check did not run`,
    );
    return false;
  }
}

/**
 * Mail goes straight into the store: POP3 never depends on the SMTP package (the protocol packages
 * do not import each other). SMTP in and POP3 out through the whole server is tested end to end in
 * apps/mailserver/e2e/pop3.test.ts.
 */
async function putInStore(h: Harness): Promise<void> {
  await deliver(h.store, ADDRESS, ORIGINAL);
}

/** The bytes the store holds for the first message of the INBOX. */
async function storedMessage(h: Harness): Promise<Buffer> {
  const [first] = await h.store.listMessages(await inboxId(h.store, ADDRESS));
  if (!first) throw new Error('nothing was delivered');
  return h.store.readBody(first.bodyHash);
}

const POPLIB_SCRIPT = `
import poplib, ssl, sys
port, tls = int(sys.argv[1]), sys.argv[2] == 'stls'
client = poplib.POP3('127.0.0.1', port, timeout=10)
if tls:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    client.stls(context)
client.user('${ADDRESS}')
client.pass_('any password')
count, size = client.stat()
uidl = client.uidl(1).decode()
response, lines, octets = client.retr(1)
client.quit()
sys.stdout.buffer.write(f'{count} {size} {uidl}\\n'.encode())
sys.stdout.buffer.write(b'\\r\\n'.join(lines) + b'\\r\\n')
`;

describe('end to end: out by clients nobody here wrote', () => {
  it('curl pop3:// downloads the exact stored bytes', async () => {
    if (!(await commandExists('curl'))) return;
    harness = await startHarness();
    const h = harness;
    await putInStore(h);
    const stored = await storedMessage(h);
    expect(stored.subarray(stored.length - ORIGINAL.length).equals(ORIGINAL)).toBe(true);
    const { stdout } = await run(
      'curl',
      ['-s', '--max-time', '10', `pop3://127.0.0.1:${h.port}/1`, '-u', `${ADDRESS}:any`],
      {
        encoding: 'buffer',
      },
    );
    expect(stdout.equals(stored)).toBe(true);
  });

  it.each(['plain', 'stls'] as const)(
    "Python's poplib (%s) downloads the exact stored bytes",
    async (mode) => {
      if (!(await commandExists('python3'))) return;
      harness = await startHarness({ profile: mode === 'stls' ? 'production' : 'dev' });
      const h = harness;
      if (mode === 'stls') {
        await h.store.addDomain('example.test');
        await h.store.addUser(ADDRESS, 'any password');
      }
      await putInStore(h);
      const stored = await storedMessage(h);
      const { stdout } = await run('python3', ['-c', POPLIB_SCRIPT, String(h.port), mode], {
        encoding: 'buffer',
      });
      const newline = stdout.indexOf(0x0a);
      const mailbox = await h.store.getMailboxById(await inboxId(h.store, ADDRESS));
      const [first] = await h.store.listMessages(await inboxId(h.store, ADDRESS));
      expect(stdout.subarray(0, newline).toString()).toBe(
        `1 ${stored.length} +OK 1 ${mailbox?.uidValidity}.${first?.uid}`,
      );
      expect(stdout.subarray(newline + 1).equals(stored)).toBe(true);
    },
  );
});
