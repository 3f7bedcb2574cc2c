import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * The root whose `data/` is the default data dir. In the repository (or image) this file lives in
 * apps/mailserver/{src,dist}/, three levels down, so `npm start` and `npx minimail` both default to
 * `<repository>/data` wherever they are run from. Installed from the registry or a tarball it lives
 * in `<project>/node_modules/@minimail/mailserver/dist/`: then the project that installed it is the
 * root (`<project>/data`), not a folder inside node_modules.
 */
export function repositoryRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const parts = here.split(path.sep);
  const modules = parts.lastIndexOf('node_modules');
  if (modules > 0) return parts.slice(0, modules).join(path.sep) || path.sep;
  return path.resolve(here, '..', '..', '..');
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
