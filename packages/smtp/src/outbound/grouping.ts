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

export /** Groups entries per destination domain, sender and body, at most 100 recipients each. */
function groupEntries(entries: OutboundEntry[]): Group[] {
  const groups = new Map<string, Group>();
  const result: Group[] = [];
  for (const entry of entries) {
    const domain = domainOf(entry.recipient);
    const key = `${domain}\u0000${entry.sender}\u0000${entry.bodyHash}`;
    let group = groups.get(key);
    if (group === undefined || group.entries.length >= MAX_RECIPIENTS_PER_TRANSACTION) {
      group = { domain, sender: entry.sender, bodyHash: entry.bodyHash, entries: [] };
      groups.set(key, group);
      result.push(group);
    }
    group.entries.push(entry);
  }
  return result;
}
