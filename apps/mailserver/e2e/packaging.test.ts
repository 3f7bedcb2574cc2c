/**
 * Installable anywhere (issue 17): every workspace packed with `npm pack`, the tarballs installed
 * into an empty directory (no source checkout), and `npx minimail serve` run there takes a message
 * that `npx minimail mailbox list` then counts. What this proves: `files` ships what runtime needs,
 * `exports` resolve, runtime dependencies are declared where they are used, the default data dir
 * is the installing project's `data/`.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { localPrebuilds, npmEnv, ROOT, runCommand } from './install-support.js';
import { freePort, startServer, type RunningServer } from './support.js';

const WORKSPACES = [
  'store',
  'mime',
  'protocol',
  'sieve',
  'smtp',
  'pop3',
  'imap',
  'managesieve',
  'mailbox-io',
  'acme',
  'http',
  'testing',
].map((name) => `packages/${name}`);
WORKSPACES.push('apps/mailserver');

describe('the packed workspaces, installed into an empty directory', () => {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'minimail-pack-'));
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.stop();
    rmSync(temp, { recursive: true, force: true });
  });

  it(
    'installs from the tarballs and serves mail with `npx minimail serve`',
    { timeout: 300_000 },
    async () => {
      const tarballs = path.join(temp, 'tarballs');
      mkdirSync(tarballs);
      const packed = await runCommand(
        'npm',
        ['pack', ...WORKSPACES.flatMap((w) => ['-w', w]), '--pack-destination', tarballs, '--json'],
        { cwd: ROOT, env: npmEnv({}), timeoutMs: 120_000 },
      );
      expect(packed.code, packed.stderr).toBe(0);
      const files = readdirSync(tarballs).filter((name) => name.endsWith('.tgz'));
      expect(files).toHaveLength(WORKSPACES.length);
      // No test, source or benchmark file ships: only what runs.
      const entries = (JSON.parse(packed.stdout) as { files: { path: string }[] }[]).flatMap((p) => p.files);
      expect(entries.filter((f) => /\.test\.|(^|\/)src\/|(^|\/)e2e\//.test(f.path))).toEqual([]);

      const app = path.join(temp, 'app');
      mkdirSync(app);
      writeFileSync(
        path.join(app, 'package.json'),
        JSON.stringify({ name: 'uses-minimail', private: true, allowScripts: { 'better-sqlite3': true } }),
      );
      const env = npmEnv(localPrebuilds(path.join(temp, 'prebuilds')));
      const installed = await runCommand(
        'npm',
        ['install', '--prefer-offline', ...files.map((file) => path.join(tarballs, file))],
        { cwd: app, env, timeoutMs: 240_000 },
      );
      expect(installed.code, installed.stderr).toBe(0);

      const version = await runCommand('npx', ['minimail', '--version'], {
        cwd: app,
        env,
        timeoutMs: 60_000,
      });
      expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });

      const smtp = await freePort();
      const serveEnv: NodeJS.ProcessEnv = { ...env, MINIMAIL_SMTP_PORT: String(smtp) };
      for (const name of ['SUBMISSION', 'SUBMISSIONS', 'POP3', 'POP3S', 'IMAP', 'IMAPS', 'HTTP']) {
        serveEnv[`MINIMAIL_${name}_PORT`] = '0';
      }
      // `npx minimail serve`, from the installing project's directory.
      server = await startServer([], serveEnv, [], { cwd: app, command: ['npx', 'minimail'] });
      expect(server.output()).toContain(`"dataDir":"${path.join(app, 'data')}"`);
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: smtp,
        secure: false,
        ignoreTLS: true,
      });
      const sent = await transport.sendMail({
        from: 'app@example.test',
        to: 'user@example.test',
        subject: 'from a tarball install',
        text: 'hello',
      });
      transport.close();
      expect(sent.response).toBe('250 2.6.0 Message accepted for delivery');

      const list = await runCommand('npx', ['minimail', 'mailbox', 'list', 'user@example.test'], {
        cwd: app,
        env,
        timeoutMs: 60_000,
      });
      expect(list.stdout.split('\n')[0]).toBe('INBOX\t1');
    },
  );
});
