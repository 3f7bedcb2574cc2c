import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file lives in apps/bench/{src,dist}/ (docs/benchmarks.md is written there). */
export function repositoryRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** The built `minimail` CLI, as `npx minimail` runs it: the bin of the @minimail/mailserver workspace. */
export function minimailBin(): string {
  const manifest = createRequire(import.meta.url).resolve('@minimail/mailserver/package.json');
  return path.join(path.dirname(manifest), 'bin', 'minimail.js');
}
