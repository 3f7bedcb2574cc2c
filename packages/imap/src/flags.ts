/** Flags a client may store (RFC 3501 2.3.2). */
import { SYSTEM_FLAGS } from '@minimail/store';
import { bad } from './errors.js';

const STORABLE_SYSTEM_FLAGS: ReadonlySet<string> = new Set(SYSTEM_FLAGS);

/**
 * The flags to store: system flags and keywords. RFC 3501 2.3.2: \Recent is session state and
 * cannot be stored, so it is dropped; any other backslash flag is not one we know: BAD.
 */
export function storableFlags(flags: readonly string[]): string[] {
  const out: string[] = [];
  for (const flag of flags) {
    if (flag === '\\Recent') continue;
    if (flag.startsWith('\\') && !STORABLE_SYSTEM_FLAGS.has(flag))
      throw bad(`Unknown system flag ${flag.slice(0, 40)}`);
    if (!out.includes(flag)) out.push(flag);
  }
  return out;
}
