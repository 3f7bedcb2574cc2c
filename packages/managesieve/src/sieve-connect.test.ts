/**
 * Debian's sieve-connect (a real ManageSieve client) against the server: STARTTLS, AUTHENTICATE
 * PLAIN, upload, list, activate, download, delete. Installed by .ci/run; skipped (visibly) without it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './test-support/harness.js';

const hasSieveConnect = (() => {
  try {
    execFileSync('sieve-connect', ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** Runs sieve-connect with the password on fd 3; resolves with its exit code and output. */
function sieveConnect(
  port: number,
  user: string,
  password: string,
  args: string[],
): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'sieve-connect',
      [
        '-s',
        '127.0.0.1',
        '-p',
        String(port),
        '-u',
        user,
        '--passwordfd',
        '3',
        '--notlsverify',
        '--authmech',
        'PLAIN',
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const fd3 = child.stdio[3] as NodeJS.WritableStream;
    fd3.end(password + '\n');
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe.skipIf(!hasSieveConnect)('sieve-connect (Debian) against the ManageSieve server', () => {
  it('uploads, lists, activates, downloads and deletes a script over STARTTLS with a checked password', async () => {
    h = await startHarness('production');
    await h.store.addDomain('local.test');
    const bob = await h.store.addUser('bob@local.test', 'secret');
    const file = join(h.dir, 'vacation.sieve');
    const script = 'require "vacation";\nvacation :days 5 "I am away.";\n';
    writeFileSync(file, script);

    const upload = await sieveConnect(h.port, 'bob@local.test', 'secret', [
      '--upload',
      '--localsieve',
      file,
      '--remotesieve',
      'away',
    ]);
    expect(upload.code, upload.out).toBe(0);
    expect(await h.scripts.getSieveScript(bob.id, 'away')).toBe(script);

    const activate = await sieveConnect(h.port, 'bob@local.test', 'secret', [
      '--activate',
      '--remotesieve',
      'away',
    ]);
    expect(activate.code, activate.out).toBe(0);
    expect(await h.scripts.listSieveScripts(bob.id)).toEqual([{ name: 'away', active: true }]);

    const list = await sieveConnect(h.port, 'bob@local.test', 'secret', ['--list']);
    expect(list.code, list.out).toBe(0);
    expect(list.out).toBe('"away" ACTIVE\n');

    const copy = join(h.dir, 'copy.sieve');
    const download = await sieveConnect(h.port, 'bob@local.test', 'secret', [
      '--download',
      '--remotesieve',
      'away',
      '--localsieve',
      copy,
    ]);
    expect(download.code, download.out).toBe(0);
    expect(readFileSync(copy, 'utf8')).toBe(script);

    const wrong = await sieveConnect(h.port, 'bob@local.test', 'nope', ['--list']);
    expect(wrong.code).not.toBe(0);

    const bad = join(h.dir, 'bad.sieve');
    writeFileSync(bad, 'if true {\n');
    const refused = await sieveConnect(h.port, 'bob@local.test', 'secret', [
      '--upload',
      '--localsieve',
      bad,
      '--remotesieve',
      'bad',
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.out).toBe(
      'PUTSCRIPT(bad) failed: NO "line 2: expected \\"}\\" or a command, found end of script"\nsaw 1 problems, exiting 1\n',
    );
    expect(await h.scripts.getSieveScript(bob.id, 'bad')).toBeNull();

    await sieveConnect(h.port, 'bob@local.test', 'secret', ['--deactivate']);
    const del = await sieveConnect(h.port, 'bob@local.test', 'secret', ['--delete', '--remotesieve', 'away']);
    expect(del.code, del.out).toBe(0);
    expect(await h.scripts.listSieveScripts(bob.id)).toEqual([]);
  });
});
