import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * The repository (or image) root: this file lives in apps/mailserver/{src,dist}/, three levels down.
 * `npm start` and `npx minimail` both default to `<root>/data`, wherever they are run from.
 */
export function repositoryRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

export function defaultDataDir(): string {
  return path.join(repositoryRoot(), 'data');
}

/** The SQLite file inside a data directory. */
export function storePath(dataDir: string): string {
  return path.join(dataDir, 'minimail.sqlite');
}

/** The web app's Vite build (apps/web/dist), served by the http service in dev. */
export function webAppRoot(): string {
  return path.join(repositoryRoot(), 'apps', 'web', 'dist');
}
