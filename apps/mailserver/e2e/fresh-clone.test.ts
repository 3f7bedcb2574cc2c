/**
 * A fresh clone answers `npx minimail --version` right after `npm ci` (issue 17): the root
 * `prepare` script builds every workspace during `npm ci` (docs/adr: the CLI is built on prepare).
 * The clone is made from this checkout's git directory (its committed HEAD, not uncommitted edits).
 * Bounded: the third-party packages come from the npm cache, better-sqlite3 from a local prebuild
 * (install-support.ts), so the time goes into `npm ci` linking and turbo building the workspaces.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localPrebuilds, npmEnv, ROOT, runCommand } from './install-support.js';

const IS_GIT_CHECKOUT = existsSync(path.join(ROOT, '.git'));

describe('a fresh clone', () => {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'minimail-clone-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it.skipIf(!IS_GIT_CHECKOUT)(
    'runs `npx minimail --version` right after `npm ci` (skipped outside a git checkout: nothing to clone)',
    { timeout: 600_000 },
    async () => {
      const clone = path.join(temp, 'minimail');
      const cloned = await runCommand('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone], {
        cwd: temp,
        env: npmEnv({}),
        timeoutMs: 120_000,
      });
      expect(cloned.code, cloned.stderr).toBe(0);
      const installEnv = npmEnv({
        ...localPrebuilds(path.join(temp, 'prebuilds')),
        TURBO_TELEMETRY_DISABLED: '1',
      });
      const ci = await runCommand('npm', ['ci', '--prefer-offline'], {
        cwd: clone,
        env: installEnv,
        timeoutMs: 480_000,
      });
      expect(ci.code, `${ci.stdout}\n${ci.stderr}`).toBe(0);

      const env = npmEnv({});
      const version = await runCommand('npx', ['minimail', '--version'], {
        cwd: clone,
        env,
        timeoutMs: 60_000,
      });
      expect(version).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
      const help = await runCommand('npx', ['minimail', 'user', 'list', '--json'], {
        cwd: clone,
        env: { ...env, MINIMAIL_DATA_DIR: path.join(temp, 'data') },
        timeoutMs: 60_000,
      });
      expect(help).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
    },
  );
});
