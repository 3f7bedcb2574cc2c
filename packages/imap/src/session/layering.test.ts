/**
 * The session runs commands through the registry it is given (server.ts), never by importing
 * them: `session/` must not import `commands/` (issue 12; docs/adr/0008).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('no file in session/ imports from commands/', async () => {
  const dir = new URL('.', import.meta.url).pathname;
  const offenders: string[] = [];
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.ts')) continue;
    const text = await readFile(join(dir, file), 'utf8');
    if (/from '\.\.\/commands\//.test(text)) offenders.push(file);
  }
  expect(offenders).toEqual([]);
});
