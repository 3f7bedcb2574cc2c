import { MAX_MAILBOX_DEPTH, MAX_MAILBOX_NAME_LENGTH } from './limits.js';
import { MAILBOX_SEPARATOR, StoreError } from './types.js';

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f*%]/;

/**
 * Validates a mailbox name and spells INBOX canonically. RFC 3501 5.1: `INBOX` is
 * case-insensitive; like most servers we also canonicalise the `INBOX/` prefix of its children.
 * `*` and `%` are LIST wildcards (RFC 3501 6.3.8) and cannot be part of a name.
 */
export function normalizeMailboxName(input: string): string {
  const parts = input.split(MAILBOX_SEPARATOR);
  if (
    input.length === 0 ||
    input.length > MAX_MAILBOX_NAME_LENGTH ||
    FORBIDDEN.test(input) ||
    parts.length > MAX_MAILBOX_DEPTH ||
    parts.some((part) => part.length === 0)
  ) {
    throw new StoreError('INVALID', `invalid mailbox name: ${JSON.stringify(input)}`);
  }
  if (parts[0]?.toUpperCase() === 'INBOX') parts[0] = 'INBOX';
  return parts.join(MAILBOX_SEPARATOR);
}

/** `a/b/c` -> [`a`, `a/b`]: the parents that must exist for `a/b/c`. */
export function parentNames(name: string): string[] {
  const parts = name.split(MAILBOX_SEPARATOR);
  const parents: string[] = [];
  for (let length = 1; length < parts.length; length += 1)
    parents.push(parts.slice(0, length).join(MAILBOX_SEPARATOR));
  return parents;
}

export function isInbox(name: string): boolean {
  return name === 'INBOX';
}
