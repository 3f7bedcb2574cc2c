/**
 * Flags as the file formats spell them, mapped to IMAP's.
 *
 * Maildir info (https://cr.yp.to/proto/maildir.html, `:2,` then letters in ASCII order):
 * D draft, F flagged, P passed (forwarded), R replied, S seen, T trashed. Dovecot adds the
 * lower-case letters a-z, each naming a keyword by its line in the folder's `dovecot-keywords` file.
 *
 * mbox (the UW/Pine/Dovecot convention): `Status: RO` (R read, O old: not \Recent) and
 * `X-Status: ADFT` (A answered, D deleted, F flagged, T draft), keywords in `X-Keywords`.
 */
import { MAILBOX_IO_LIMITS } from './limits.js';

const MAILDIR_LETTERS: ReadonlyArray<[string, string]> = [
  ['D', '\\Draft'],
  ['F', '\\Flagged'],
  ['P', '$Forwarded'],
  ['R', '\\Answered'],
  ['S', '\\Seen'],
  ['T', '\\Deleted'],
];

/** An IMAP keyword atom (RFC 3501 9 flag-keyword): no specials, no backslash. */
export function isKeyword(flag: string): boolean {
  return (
    flag.length > 0 && flag.length <= MAILBOX_IO_LIMITS.maxKeywordLength && /^[!#$&'+-[^-z|~]+$/.test(flag)
  );
}

/** Parses `dovecot-keywords` ("0 $Forwarded" per line) into index -> keyword. Bad lines are ignored. */
export function parseDovecotKeywords(text: string): Map<number, string> {
  const keywords = new Map<number, string>();
  for (const line of text.split('\n')) {
    const match = /^(\d+) (\S+)$/.exec(line.trim());
    if (!match) continue;
    const index = Number(match[1]);
    if (index < MAILBOX_IO_LIMITS.maxKeywords && isKeyword(match[2]!)) keywords.set(index, match[2]!);
  }
  return keywords;
}

export function serializeDovecotKeywords(keywords: readonly string[]): string {
  return keywords.map((keyword, index) => `${index} ${keyword}\n`).join('');
}

/** The flags in a Maildir file name's info part (after `:2,`). Unknown letters are ignored. */
export function flagsFromMaildirInfo(info: string, keywords: ReadonlyMap<number, string>): string[] {
  const flags = new Set<string>();
  for (const letter of info) {
    const system = MAILDIR_LETTERS.find(([l]) => l === letter);
    if (system) flags.add(system[1]);
    else if (letter >= 'a' && letter <= 'z') {
      const keyword = keywords.get(letter.charCodeAt(0) - 97);
      if (keyword) flags.add(keyword);
    }
  }
  return [...flags];
}

/**
 * The info letters for `flags`, adding keywords to `keywords` (the folder's keyword list, which
 * becomes its dovecot-keywords file) as they are first seen. `$Forwarded` is written as a keyword,
 * as Dovecot does, so a Dovecot reading the tree shows the same flags. Keywords past the 26th
 * letter cannot be expressed and are returned in `dropped`.
 */
export function maildirInfoFromFlags(
  flags: readonly string[],
  keywords: string[],
): { info: string; dropped: string[] } {
  const letters: string[] = [];
  const dropped: string[] = [];
  for (const flag of flags) {
    const system = MAILDIR_LETTERS.find(([, f]) => f === flag);
    if (system && flag !== '$Forwarded') {
      letters.push(system[0]);
      continue;
    }
    if (flag.startsWith('\\')) continue; // \Recent and unknown system flags are not stored
    let index = keywords.indexOf(flag);
    if (index < 0 && keywords.length < MAILBOX_IO_LIMITS.maxKeywords) index = keywords.push(flag) - 1;
    if (index < 0) dropped.push(flag);
    else letters.push(String.fromCharCode(97 + index));
  }
  return { info: [...new Set(letters)].sort().join(''), dropped };
}

/** Flags from an mbox message's Status, X-Status and X-Keywords header values. */
export function flagsFromMboxHeaders(headers: {
  status?: string;
  xStatus?: string;
  xKeywords?: string;
}): string[] {
  const flags = new Set<string>();
  if (headers.status?.includes('R')) flags.add('\\Seen');
  const x = headers.xStatus ?? '';
  if (x.includes('A')) flags.add('\\Answered');
  if (x.includes('F')) flags.add('\\Flagged');
  if (x.includes('T')) flags.add('\\Draft');
  if (x.includes('D')) flags.add('\\Deleted');
  for (const keyword of (headers.xKeywords ?? '').split(/[\s,]+/)) if (isKeyword(keyword)) flags.add(keyword);
  return [...flags];
}

/** The Status/X-Status/X-Keywords header lines (without line ends) for `flags`; empty ones omitted. */
export function mboxHeadersFromFlags(flags: readonly string[]): string[] {
  const has = (flag: string): boolean => flags.includes(flag);
  // Every exported message is "old" (O): it is not new to whoever reads the file next.
  const lines = [`Status: ${has('\\Seen') ? 'RO' : 'O'}`];
  const x = [
    has('\\Answered') ? 'A' : '',
    has('\\Deleted') ? 'D' : '',
    has('\\Flagged') ? 'F' : '',
    has('\\Draft') ? 'T' : '',
  ].join('');
  if (x) lines.push(`X-Status: ${x}`);
  const keywords = flags.filter((flag) => !flag.startsWith('\\') && isKeyword(flag));
  if (keywords.length > 0) lines.push(`X-Keywords: ${keywords.join(' ')}`);
  return lines;
}
