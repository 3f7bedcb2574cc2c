/**
 * The one place that knows how a message's MIME structure is obtained: the JSON the store recorded
 * at delivery (`readStructure`, computed once by the app's describeBody hook), or, for bodies stored
 * without one (older data, a store opened without the hook), parsed on demand. Either way the result
 * is kept in a small LRU keyed by body hash (equal hashes mean equal bytes, so entries never go stale).
 */
import { deserializeStructure, parseMessage, type MimePart } from '@minimail/mime';
import type { Logger } from '@minimail/protocol';
import { StoreError, type ImapStore } from '@minimail/store';

export class MessageStructures {
  /**
   * Map iteration order is insertion order: the first key is the least recently used. A null
   * entry records that the store holds no structure for the body, so the `structureOf` that
   * follows a failed `structureWithoutBody` does not ask the store a second time.
   */
  private readonly cache = new Map<string, MimePart | null>();

  constructor(
    private readonly store: ImapStore,
    private readonly logger: Logger,
    private readonly maxEntries: number,
  ) {}

  /** The structure of a body whose bytes the caller has already read. */
  async structureOf(bodyHash: string, raw: Buffer): Promise<MimePart> {
    const known = await this.known(bodyHash);
    if (known !== null) return known;
    const parsed = parseMessage(raw);
    this.remember(bodyHash, parsed);
    return parsed;
  }

  /**
   * The structure without reading the body, if it alone answers ENVELOPE, BODY and BODYSTRUCTURE:
   * every message entity in it carries its parsed envelope (what parseMessage records, and so
   * what the store keeps). Null otherwise (no stored structure, or one without envelopes): the
   * caller reads the bytes and uses `structureOf`.
   */
  async structureWithoutBody(bodyHash: string): Promise<MimePart | null> {
    const known = await this.known(bodyHash);
    return known !== null && hasEveryEnvelope(known) ? known : null;
  }

  /** The cached structure, else the stored one (null when none is stored); remembered either way. */
  private async known(bodyHash: string): Promise<MimePart | null> {
    const cached = this.cache.get(bodyHash);
    const structure = cached === undefined ? await this.stored(bodyHash) : cached;
    // A body removed meanwhile (its last message expunged by another session) is not remembered:
    // the caller then reads the bytes, finds them gone too, and treats the message as gone.
    if (structure === GONE) return null;
    this.remember(bodyHash, structure);
    return structure;
  }

  /** Inserts or refreshes an entry as the most recently used, evicting the least recently used. */
  private remember(bodyHash: string, structure: MimePart | null): void {
    this.cache.delete(bodyHash);
    this.cache.set(bodyHash, structure);
    while (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }

  private async stored(bodyHash: string): Promise<MimePart | null | typeof GONE> {
    let json: string | null;
    try {
      json = await this.store.readStructure(bodyHash);
    } catch (error) {
      if (error instanceof StoreError && error.code === 'NOT_FOUND') return GONE;
      throw error;
    }
    if (json === null) return null;
    try {
      return deserializeStructure(json);
    } catch (error) {
      // An older format version or a damaged row: parsing the bytes again gives the right answer.
      this.logger.warn({ err: error, bodyHash }, 'stored MIME structure unreadable; parsing the message');
      return null;
    }
  }
}

/** What `stored` says when the body itself is gone. */
const GONE = Symbol('gone');

/** Whether the root and every embedded message/rfc822 carry an envelope (mime's envelope() then reads no bytes). */
function hasEveryEnvelope(root: MimePart): boolean {
  if (root.envelope === undefined) return false;
  const pending: MimePart[] = [root];
  for (let part = pending.pop(); part !== undefined; part = pending.pop()) {
    if (part.message !== undefined) {
      if (part.message.envelope === undefined) return false;
      pending.push(part.message);
    }
    pending.push(...part.children);
  }
  return true;
}
