/**
 * The one place that knows how a message's MIME structure is obtained: the JSON the store recorded
 * at delivery (`readStructure`, computed once by the app's describeBody hook), or, for bodies stored
 * without one (older data, a store opened without the hook), parsed on demand. Either way the result
 * is kept in a small LRU keyed by body hash (equal hashes mean equal bytes, so entries never go stale).
 */
import { deserializeStructure, parseMessage, type MimePart } from '@minimail/mime';
import type { Logger } from '@minimail/protocol';
import type { MailStore } from '@minimail/store';

export class MessageStructures {
  /** Map iteration order is insertion order: the first key is the least recently used. */
  private readonly cache = new Map<string, MimePart>();

  constructor(
    private readonly store: MailStore,
    private readonly logger: Logger,
    private readonly maxEntries: number,
  ) {}

  /** The structure of a body whose bytes the caller has already read. */
  async structureOf(bodyHash: string, raw: Buffer): Promise<MimePart> {
    const cached = this.cache.get(bodyHash);
    if (cached) {
      this.cache.delete(bodyHash);
      this.cache.set(bodyHash, cached);
      return cached;
    }
    const structure = (await this.stored(bodyHash)) ?? parseMessage(raw);
    this.cache.set(bodyHash, structure);
    while (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return structure;
  }

  private async stored(bodyHash: string): Promise<MimePart | null> {
    const json = await this.store.readStructure(bodyHash);
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
