import { MAX_FLAGS_PER_MESSAGE, MAX_KEYWORD_LENGTH } from './limits.js';
import { SYSTEM_FLAGS, StoreError, type FlagMode } from './types.js';

const SYSTEM_FLAG_BY_LOWER = new Map<string, string>(SYSTEM_FLAGS.map((flag) => [flag.toLowerCase(), flag]));

/** RFC 3501 9: a keyword is an atom: printable US-ASCII without atom-specials or `]`. */
const KEYWORD_FORBIDDEN = /[^\x21-\x7e]|[(){%*"\\\]]/;

/**
 * Validates and canonicalises a flag list: system flags get their RFC 3501 spelling (`\seen` ->
 * `\Seen`), keywords are kept as given, duplicates (case-insensitive, RFC 3501 2.3.2) dropped.
 * `\Recent` is session state (RFC 3501 2.3.2) and other backslash flags do not exist: both INVALID.
 */
export function normalizeFlags(flags: readonly string[]): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const raw of flags) {
    let flag: string;
    if (raw.startsWith('\\')) {
      const system = SYSTEM_FLAG_BY_LOWER.get(raw.toLowerCase());
      if (system === undefined) throw new StoreError('INVALID', `flag ${raw} cannot be stored`);
      flag = system;
    } else {
      if (raw.length === 0 || raw.length > MAX_KEYWORD_LENGTH || KEYWORD_FORBIDDEN.test(raw)) {
        throw new StoreError('INVALID', `invalid keyword: ${JSON.stringify(raw)}`);
      }
      flag = raw;
    }
    const key = flag.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(flag);
  }
  if (result.length > MAX_FLAGS_PER_MESSAGE) {
    throw new StoreError('INVALID', `more than ${MAX_FLAGS_PER_MESSAGE} flags on one message`);
  }
  return sortFlags(result);
}

/** System flags first in RFC order, then keywords in the order given. */
function sortFlags(flags: string[]): string[] {
  const rank = (flag: string): number => {
    const index = (SYSTEM_FLAGS as readonly string[]).indexOf(flag);
    return index < 0 ? SYSTEM_FLAGS.length : index;
  };
  return flags
    .map((flag, index) => ({ flag, index }))
    .sort((a, b) => rank(a.flag) - rank(b.flag) || a.index - b.index)
    .map((entry) => entry.flag);
}

/** Applies a STORE-style change (already normalised flags) to a message's current flags. */
export function applyFlagMode(
  current: readonly string[],
  mode: FlagMode,
  flags: readonly string[],
): string[] {
  if (mode === 'replace') return [...flags];
  const lower = new Set(flags.map((flag) => flag.toLowerCase()));
  if (mode === 'remove') return current.filter((flag) => !lower.has(flag.toLowerCase()));
  return normalizeFlags([...current, ...flags]);
}

export function encodeFlags(flags: readonly string[]): string {
  return flags.join(' ');
}

export function decodeFlags(stored: string): string[] {
  return stored === '' ? [] : stored.split(' ');
}

export function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((flag, index) => flag === b[index]);
}
