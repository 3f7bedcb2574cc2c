import type { OutboundEntry } from '@minimail/store';
import { MAX_RECIPIENTS_PER_TRANSACTION } from './limits.js';
import { domainOf } from './message-prep.js';

/** Entries that go in one SMTP transaction: same body, same sender, same destination domain. */
export interface Group {
  domain: string;
  sender: string;
  bodyHash: string;
  entries: OutboundEntry[];
}

/**
 * Groups entries per destination domain, sender and body, at most 100 recipients each, and never
 * one recipient twice in a group: two submissions with identical bytes to the same address are two
 * messages, so they go in two transactions (issue 11: one transaction with the RCPT twice was
 * delivered once by the remote server, and the second message was lost).
 */
export function groupEntries(entries: OutboundEntry[]): Group[] {
  const groups = new Map<string, Array<{ group: Group; recipients: Set<string> }>>();
  const result: Group[] = [];
  for (const entry of entries) {
    const domain = domainOf(entry.recipient);
    // RFC 3461 parameters go with a whole transaction: only equal ones share it.
    const key = `${domain}\u0000${entry.sender}\u0000${entry.bodyHash}\u0000${JSON.stringify(entry.dsn)}`;
    const recipient = entry.recipient.toLowerCase();
    const candidates = groups.get(key) ?? [];
    groups.set(key, candidates);
    let slot = candidates.find(
      (candidate) =>
        candidate.group.entries.length < MAX_RECIPIENTS_PER_TRANSACTION &&
        !candidate.recipients.has(recipient),
    );
    if (slot === undefined) {
      slot = {
        group: { domain, sender: entry.sender, bodyHash: entry.bodyHash, entries: [] },
        recipients: new Set(),
      };
      candidates.push(slot);
      result.push(slot.group);
    }
    slot.group.entries.push(entry);
    slot.recipients.add(recipient);
  }
  return result;
}
