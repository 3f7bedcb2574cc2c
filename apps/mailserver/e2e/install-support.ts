/**
 * Helpers for the install tests (packaging, fresh clone): npm runs in child processes with the
 * machine's npm cache (`--prefer-offline`: every third-party package is normally already there).
 *
 * better-sqlite3's install script downloads a prebuilt addon, or compiles SQLite for minutes when
 * it cannot. Tests reach no internet, so they hand prebuild-install a local prebuild (its
 * documented `npm_config_<package>_local_prebuilds` directory) made from the addon this checkout
 * already built: same Node ABI, same platform, and an install that takes seconds.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { repositoryRoot } from '../src/paths.js';

export const ROOT = repositoryRoot();

/** A directory holding better-sqlite3's prebuilt addon as prebuild-install names its download. */
export function localPrebuilds(dir: string): Record<string, string> {
  const require = createRequire(path.join(ROOT, 'packages', 'store', 'package.json'));
  const packageJson = require.resolve('better-sqlite3/package.json');
  const { version } = require(packageJson) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  mkdirSync(dir, { recursive: true });
  const addonDir = path.dirname(packageJson);
  if (!existsSync(path.join(addonDir, 'build', 'Release', 'better_sqlite3.node'))) {
    throw new Error(`no built better-sqlite3 addon in ${addonDir}`);
  }
  execFileSync('tar', ['czf', path.join(dir, name), '-C', addonDir, 'build/Release/better_sqlite3.node']);
  return { npm_config_better_sqlite3_local_prebuilds: dir };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (bounded by `timeoutMs`), collecting its output. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment npm runs with in these tests: the machine's, without this test run's npm_* noise. */
export function npmEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('npm_') && !key.startsWith('MINIMAIL_') && key !== 'INIT_CWD') env[key] = value;
  }
  return { ...env, npm_config_audit: 'false', npm_config_fund: 'false', ...extra };
}
