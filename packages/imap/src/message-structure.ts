/**
 * The one place that knows how a message's MIME structure is obtained. Today it is parsed on
 * demand with @minimail/mime and kept in a small LRU keyed by body hash (equal hashes mean equal
 * bytes, so an entry never goes stale). When the store offers the structure computed at delivery
 * (`readStructure(bodyHash)`), only `load` below changes.
 */
import { parseMessage, type MimePart } from '@minimail/mime';

export interface LoadedMessage {
  raw: Buffer;
  structure: MimePart;
}

export class MessageStructures {
  /** Map iteration order is insertion order: the first key is the least recently used. */
  private readonly cache = new Map<string, MimePart>();

  constructor(private readonly maxEntries: number) {}

  /** The structure of a body whose bytes the caller has already read. */
  structureOf(bodyHash: string, raw: Buffer): MimePart {
    const cached = this.cache.get(bodyHash);
    if (cached) {
      this.cache.delete(bodyHash);
      this.cache.set(bodyHash, cached);
      return cached;
    }
    const structure = parseMessage(raw);
    this.cache.set(bodyHash, structure);
    while (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return structure;
  }
}
