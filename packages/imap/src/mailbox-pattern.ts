/**
 * LIST/LSUB patterns (RFC 3501 6.3.8): `*` matches anything, `%` anything but the hierarchy
 * separator. The reference name is prefixed to the pattern; INBOX matches case-insensitively.
 */
import { MAILBOX_SEPARATOR } from '@minimail/store';

export type MailboxMatcher = (name: string) => boolean;

/** RFC 3501 6.3.8: the reference and the pattern are joined into one canonical pattern. */
export function joinReference(reference: string, pattern: string): string {
  if (reference === '' || pattern.startsWith(MAILBOX_SEPARATOR)) return pattern;
  return reference.endsWith(MAILBOX_SEPARATOR)
    ? reference + pattern
    : reference + MAILBOX_SEPARATOR + pattern;
}

export function compilePattern(pattern: string): MailboxMatcher {
  const canonical = canonicalInboxPrefix(pattern);
  let source = '';
  for (const ch of canonical) {
    if (ch === '*') source += '.*';
    else if (ch === '%') source += `[^${escapeRegExp(MAILBOX_SEPARATOR)}]*`;
    else source += escapeRegExp(ch);
  }
  const regex = new RegExp(`^${source}$`, 's');
  return (name) => regex.test(name);
}

/** `inbox/%` and `InBoX` name INBOX (RFC 3501 5.1); the store spells it `INBOX`. */
function canonicalInboxPrefix(pattern: string): string {
  const first = pattern.split(MAILBOX_SEPARATOR, 1)[0] ?? '';
  return first.toUpperCase() === 'INBOX' ? `INBOX${pattern.slice(first.length)}` : pattern;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Every name that has at least one child among `names` (RFC 3348 \HasChildren), in one pass. */
export function namesWithChildren(names: Iterable<string>): Set<string> {
  const parents = new Set<string>();
  for (const name of names) {
    let index = name.indexOf(MAILBOX_SEPARATOR);
    while (index !== -1) {
      parents.add(name.slice(0, index));
      index = name.indexOf(MAILBOX_SEPARATOR, index + 1);
    }
  }
  return parents;
}
