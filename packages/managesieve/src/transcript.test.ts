/** RFC 5804 conversations over a raw socket, line for line. */
import { afterEach, describe, expect, it } from 'vitest';
import { AuthThrottle } from '@minimail/protocol';
import type { RawClient } from '@minimail/protocol/testing';
import { plain, startHarness, type Harness } from './test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const SIEVE =
  '"SIEVE" "fileinto reject ereject envelope encoded-character comparator-i;ascii-numeric imap4flags copy body variables vacation subaddress relational date index mailbox include"';

async function greeting(c: RawClient, lines: string[]): Promise<void> {
  for (const l of lines) await c.expect(l);
}

describe('ManageSieve (dev profile)', () => {
  it('greets with capabilities, logs in with PLAIN, and manages scripts', async () => {
    h = await startHarness('dev');
    const c = await h.connect();
    await greeting(c, [
      '"IMPLEMENTATION" "minimail"',
      SIEVE,
      '"SASL" "PLAIN"',
      '"STARTTLS"',
      '"MAXREDIRECTS" "4"',
      '"VERSION" "1.0"',
      'OK "minimail ManageSieve ready"',
    ]);
    c.send('LISTSCRIPTS');
    await c.expect('NO "Authenticate first"');
    c.send(`AUTHENTICATE "PLAIN" "${plain('bob@local.test', 'any')}"`);
    await c.expect('OK "Authenticated"');
    const script = 'require "fileinto";\r\nif header :contains "subject" "x" { fileinto "X"; }\r\n';
    c.sendRaw(`PUTSCRIPT "main" {${Buffer.byteLength(script)}+}\r\n${script}\r\n`);
    await c.expect('OK');
    const broken = 'if true {\r\n  discard;\r\n';
    c.sendRaw(`PUTSCRIPT "broken" {${broken.length}+}\r\n${broken}\r\n`);
    await c.expect('NO "line 3: expected \\"}\\" or a command, found end of script"');
    c.send('CHECKSCRIPT "frobnicate;"');
    await c.expect('NO "line 1: unknown command \\"frobnicate\\""');
    c.send('HAVESPACE "main" 1000');
    await c.expect('OK');
    c.send('HAVESPACE "main" 99999999');
    await c.expect('NO (QUOTA/MAXSIZE) "Scripts are limited to 262144 octets"');
    c.send('SETACTIVE "main"');
    await c.expect('OK');
    c.send('PUTSCRIPT "other" "keep;"');
    await c.expect('OK');
    c.send('LISTSCRIPTS');
    await c.expect('"main" ACTIVE');
    await c.expect('"other"');
    await c.expect('OK');
    c.send('GETSCRIPT "main"');
    await c.expect(`{${Buffer.byteLength(script)}}`);
    await c.expect('require "fileinto";');
    await c.expect('if header :contains "subject" "x" { fileinto "X"; }');
    await c.expect('');
    await c.expect('OK');
    c.send('GETSCRIPT "nope"');
    await c.expect('NO (NONEXISTENT) "There is no script by that name"');
    c.send('DELETESCRIPT "main"');
    await c.expect('NO (ACTIVE) "You may not delete the active script"');
    c.send('RENAMESCRIPT "other" "main"');
    await c.expect('NO (ALREADYEXISTS) "A script by that name already exists"');
    c.send('RENAMESCRIPT "other" "spare"');
    await c.expect('OK');
    c.send('DELETESCRIPT "spare"');
    await c.expect('OK');
    c.send('SETACTIVE ""');
    await c.expect('OK');
    c.send('NOOP "t1"');
    await c.expect('OK (TAG "t1") "Done"');
    c.send('LOGOUT');
    await c.expect('OK "Logout completed"');
    await c.closed();
    const bob = (await h.store.getUser('bob@local.test'))!;
    expect(await h.scripts.listSieveScripts(bob.id)).toEqual([{ name: 'main', active: false }]);
    expect(await h.scripts.getSieveScript(bob.id, 'main')).toBe(script);
  });

  it('AUTHENTICATE without an initial response gets an empty challenge; "*" cancels', async () => {
    h = await startHarness('dev');
    const c = await h.connect();
    await c.readUntil((l) => l.startsWith('OK'));
    c.send('AUTHENTICATE "PLAIN"');
    await c.expect('""');
    c.send('"*"');
    await c.expect('NO "Authentication cancelled"');
    c.send('AUTHENTICATE "PLAIN"');
    await c.expect('""');
    c.send(`"${plain('carol@local.test', 'x')}"`);
    await c.expect('OK "Authenticated"');
  });

  it('bad input: unknown commands, bad literals, too-large literals, and the BYE after too many', async () => {
    h = await startHarness('dev');
    const c = await h.connect();
    await c.readUntil((l) => l.startsWith('OK'));
    c.send('FROBNICATE');
    await c.expect('NO "Unknown command FROBNICATE"');
    c.send('CAPABILITY extra');
    await c.expect('NO "Wrong number of arguments for CAPABILITY"');
    c.send('"unterminated');
    await c.expect('NO "unterminated quoted string"');
    c.send(`AUTHENTICATE "PLAIN" "${plain('bob@local.test', 'x')}"`);
    await c.expect('OK "Authenticated"');
    c.send('PUTSCRIPT "big" {999999999+}');
    await c.expect('BYE "literal larger than 262144 octets"');
    await c.closed();
  });
});

describe('ManageSieve (production profile)', () => {
  it('offers no SASL before STARTTLS, refuses PLAIN in clear, and after STARTTLS checks the password', async () => {
    // The app's one throttle, shared with IMAP and POP3: ManageSieve logins count in it too.
    const throttle = new AuthThrottle({ freeFailures: 0, maxDelayMs: 50 });
    h = await startHarness('production', { authThrottle: throttle });
    await h.store.addDomain('local.test');
    await h.store.addUser('bob@local.test', 'secret');
    const c = await h.connect();
    await greeting(c, [
      '"IMPLEMENTATION" "minimail"',
      SIEVE,
      '"SASL" ""',
      '"STARTTLS"',
      '"MAXREDIRECTS" "4"',
      '"VERSION" "1.0"',
      'OK "minimail ManageSieve ready"',
    ]);
    c.send(`AUTHENTICATE "PLAIN" "${plain('bob@local.test', 'secret')}"`);
    await c.expect('NO (ENCRYPT-NEEDED) "Use STARTTLS before authenticating"');
    c.send('STARTTLS');
    await c.expect('OK "Begin TLS negotiation now."');
    await c.startTls();
    // RFC 5804 2.2: the capabilities again, now with SASL PLAIN and without STARTTLS
    await greeting(c, [
      '"IMPLEMENTATION" "minimail"',
      SIEVE,
      '"SASL" "PLAIN"',
      '"MAXREDIRECTS" "4"',
      '"VERSION" "1.0"',
      'OK "TLS negotiation successful."',
    ]);
    c.send(`AUTHENTICATE "PLAIN" "${plain('Bob@Local.TEST', 'wrong')}"`);
    await c.expect('NO "Authentication failed"');
    // The shared LoginPolicy: the failure is counted for the normalised account, and logged so.
    expect(throttle.delayFor('127.0.0.1', 'bob@local.test')).toBeGreaterThan(0);
    expect(h.logs.filter((l) => l['msg'] === 'login failed').map((l) => l['user'])).toEqual([
      'bob@local.test',
    ]);
    // No proxy authorization: another authzid fails even with the right password.
    c.send(
      `AUTHENTICATE "PLAIN" "${Buffer.from('alice@local.test\0bob@local.test\0secret').toString('base64')}"`,
    );
    await c.expect('NO "Authentication failed"');
    c.send(`AUTHENTICATE "PLAIN" "${plain('BOB@local.test', 'secret')}"`);
    await c.expect('OK "Authenticated"');
    expect(h.logs.filter((l) => l['msg'] === 'login').map((l) => l['user'])).toEqual(['bob@local.test']);
    c.send('CAPABILITY');
    await greeting(c, [
      '"IMPLEMENTATION" "minimail"',
      SIEVE,
      '"MAXREDIRECTS" "4"',
      '"VERSION" "1.0"',
      'OK "Capability completed."',
    ]);
  });
});
