/**
 * SEARCH BODY and TEXT narrowed by the store's full-text index (docs/adr/0036). The index never
 * decides a result: it names the messages that may match each BODY or TEXT key (those whose
 * indexed body text, or for TEXT header block, contains the term, plus those it cannot speak
 * for), and findMatches evaluates IMAP's exact semantics (search-evaluate.ts) on those only. A
 * key the index cannot answer for (a term too short for trigrams, anything under NOT) narrows
 * nothing.
 */
import type { ImapStore } from '@minimail/store';
import { LAZY_INDEX_BATCH } from '../limits.js';
import type { SearchKey } from '../protocol/search.js';

/** Whether a BODY or TEXT key outside a NOT narrows: only then is the index asked (and lazily filled). */
function hasNarrowingKey(keys: readonly SearchKey[]): boolean {
  return keys.some((key) => {
    if (key.key === 'BODY' || key.key === 'TEXT') return true;
    if (key.key === 'OR') return hasNarrowingKey([key.left]) && hasNarrowingKey([key.right]);
    if (key.key === 'AND') return hasNarrowingKey(key.operands);
    return false;
  });
}

/**
 * The UIDs that can match all `criteria` as far as the index can tell, or null when it cannot
 * narrow them (every message is a candidate). Call after reading the mailbox's message list: a
 * message listed then is one the index was asked about. Bodies of the mailbox without an index
 * entry are indexed first, up to LAZY_INDEX_BATCH, so later searches read the index.
 */
export async function indexedCandidates(
  store: ImapStore,
  mailboxId: number,
  criteria: readonly SearchKey[],
  batch: number = LAZY_INDEX_BATCH,
): Promise<ReadonlySet<number> | null> {
  if (!hasNarrowingKey(criteria)) return null;
  // Only a speed-up: if indexing fails, the bodies left without an entry are scanned.
  await store.indexMailboxBodies(mailboxId, batch).catch(() => 0);
  const terms = new Map<string, ReadonlySet<number> | null>();
  const candidates = async (term: string, scope: 'body' | 'text'): Promise<ReadonlySet<number> | null> => {
    const key = `${scope}:${term.toLowerCase()}`;
    if (terms.has(key)) return terms.get(key) ?? null;
    const match = await store.searchIndexedText(mailboxId, term, scope);
    const set = match === null ? null : new Set([...match.matched, ...match.unindexed]);
    terms.set(key, set);
    return set;
  };
  const narrow = async (keys: readonly SearchKey[]): Promise<ReadonlySet<number> | null> => {
    let result: ReadonlySet<number> | null = null;
    for (const key of keys) {
      const set = await narrowKey(key);
      if (set === null) continue;
      result = result === null ? set : intersect(result, set);
    }
    return result;
  };
  const narrowKey = async (key: SearchKey): Promise<ReadonlySet<number> | null> => {
    switch (key.key) {
      case 'BODY':
      case 'TEXT':
        // RFC 3501 6.4.4: every message contains the empty string.
        return key.value === '' ? null : candidates(key.value, key.key === 'BODY' ? 'body' : 'text');
      case 'AND':
        return narrow(key.operands);
      case 'OR': {
        const left = await narrowKey(key.left);
        if (left === null) return null;
        const right = await narrowKey(key.right);
        return right === null ? null : new Set([...left, ...right]);
      }
      default:
        return null;
    }
  };
  return narrow(criteria);
}

function intersect(a: ReadonlySet<number>, b: ReadonlySet<number>): ReadonlySet<number> {
  const both = new Set<number>();
  for (const uid of a) if (b.has(uid)) both.add(uid);
  return both;
}
