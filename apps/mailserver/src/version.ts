import { createRequire } from 'node:module';

/** The CLI's version: its package.json's, read where the package is installed (src/ or dist/). */
export function cliVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('../package.json') as { version: string }).version;
}
