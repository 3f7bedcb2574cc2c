/**
 * The structure is computed once, when a message is stored, and kept as JSON beside it; FETCH
 * reads it back instead of parsing the message again. The format is versioned so that a later
 * parser change can tell old rows apart (and re-parse them).
 */
import type { MimePart } from './types.js';

/** Bumped whenever MimePart or the parsing rules change in a way stored rows must not mix with. */
export const STRUCTURE_FORMAT_VERSION = 1;

interface StoredStructure {
  v: number;
  root: MimePart;
}

/** JSON text of a structure, for storing once. */
export function serializeStructure(part: MimePart): string {
  const stored: StoredStructure = { v: STRUCTURE_FORMAT_VERSION, root: part };
  return JSON.stringify(stored);
}

const OFFSET_KEYS = ['headerStart', 'headerEnd', 'bodyStart', 'bodyEnd', 'bodyLines'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A structure back from serializeStructure's JSON. Throws an Error naming the problem when the
 * text is not a structure of this format version (the caller should then re-parse the message).
 */
export function deserializeStructure(json: string): MimePart {
  const stored: unknown = JSON.parse(json);
  if (!isRecord(stored) || stored['v'] !== STRUCTURE_FORMAT_VERSION) {
    throw new Error(`MIME structure is not format version ${STRUCTURE_FORMAT_VERSION}`);
  }
  // Shallow shape check of every entity, iteratively (the tree is bounded but may be wide).
  const pending: unknown[] = [stored['root']];
  while (pending.length > 0) {
    const part = pending.pop();
    if (!isRecord(part)) throw new Error('MIME structure: an entity is not an object');
    for (const key of OFFSET_KEYS) {
      if (typeof part[key] !== 'number') throw new Error(`MIME structure: ${key} is not a number`);
    }
    if (!isRecord(part['contentType'])) throw new Error('MIME structure: contentType missing');
    const children = part['children'];
    if (!Array.isArray(children)) throw new Error('MIME structure: children is not a list');
    pending.push(...(children as unknown[]));
    if (part['message'] !== undefined) pending.push(part['message']);
  }
  return stored['root'] as MimePart;
}
