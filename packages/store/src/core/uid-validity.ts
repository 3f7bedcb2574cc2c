/**
 * RFC 3501 2.3.1.1: a mailbox re-created under an old name must get a new, larger UIDVALIDITY.
 * max(now in seconds, last + 1) gives values that grow even when the clock steps back or many
 * mailboxes are created in one second; each backend persists `last` in its own meta row.
 */
export function nextUidValidity(last: number, now: number = Date.now()): number {
  return Math.max(Math.floor(now / 1000), last + 1);
}
