/**
 * RFC 3501 9 sequence-set: `1,3:5,7:*`. Parsed into ranges that are resolved lazily against the
 * mailbox, so `1:4294967295` costs nothing until someone expands it.
 */
import { ImapWireError } from './errors.js';
import { MAX_ARGS } from './limits.js';

/** A sequence number or UID, or `*` (RFC 3501 9: the largest number in use). */
export type SeqBound = number | '*';

export interface SeqRange {
  readonly start: SeqBound;
  readonly end: SeqBound;
}

export type SequenceSet = readonly SeqRange[];

/** RFC 5182 SEARCHRES: `$` stands for the result saved by the last SEARCH RETURN (SAVE). */
export const SAVED_RESULT = '$';
export type SequenceArg = SequenceSet | typeof SAVED_RESULT;

/** RFC 3501 9: nz-number fits in 32 bits. */
const MAX_NZ_NUMBER = 0xffffffff;

export interface ParseSequenceSetOptions {
  /** Accept `$` (only when SEARCHRES is advertised). */
  allowSaved?: boolean;
}

export function parseSequenceSet(text: string, options: ParseSequenceSetOptions = {}): SequenceArg {
  if (text === SAVED_RESULT) {
    if (options.allowSaved === true) return SAVED_RESULT;
    throw invalid(text);
  }
  const parts = text.split(',');
  if (parts.length > MAX_ARGS) throw new ImapWireError('TOO_COMPLEX', 'Too many ranges in sequence set');
  return parts.map((part) => {
    const bounds = part.split(':');
    if (bounds.length > 2) throw invalid(text);
    const start = parseBound(bounds[0] ?? '', text);
    const end = bounds[1] === undefined ? start : parseBound(bounds[1], text);
    return { start, end };
  });
}

function parseBound(text: string, whole: string): SeqBound {
  if (text === '*') return '*';
  // RFC 3501 9: nz-number = digit-nz *DIGIT (no 0, no leading zeros).
  if (!/^[1-9]\d{0,9}$/.test(text)) throw invalid(whole);
  const value = Number(text);
  if (value > MAX_NZ_NUMBER) throw invalid(whole);
  return value;
}

function invalid(text: string): ImapWireError {
  return new ImapWireError('SYNTAX', `Invalid sequence set: ${text.slice(0, 40)}`);
}

/** `[low, high]` of a range once `*` is known; the bounds may come in either order (RFC 3501 9). */
function resolveRange(range: SeqRange, max: number): [number, number] {
  const a = range.start === '*' ? max : range.start;
  const b = range.end === '*' ? max : range.end;
  return a <= b ? [a, b] : [b, a];
}

/** Whether `value` is in the set, where `*` means `max`; never expands ranges. */
export function sequenceSetContains(set: SequenceSet, value: number, max: number): boolean {
  return set.some((range) => {
    const [low, high] = resolveRange(range, max);
    return value >= low && value <= high;
  });
}

/**
 * Every number of the set within 1..max, ascending and unique. Use it with message sequence
 * numbers (max = message count). For UIDs prefer `filterBySequenceSet` over the mailbox's UIDs,
 * which costs O(messages) whatever the range. RFC 3501 6.4.8: `559:*` includes the highest UID
 * even when 559 is above it, which the clamping here provides.
 */
export function expandSequenceSet(set: SequenceSet, max: number): number[] {
  // Ranges in order without overlap (`1:*`, `1:10,20:30`): listed directly, with no Set or sort
  // (100,000 numbers for `FETCH 1:*` of a big mailbox).
  const ranges = set.map((range) => resolveRange(range, max));
  if (ranges.every(([low], index) => index === 0 || low > (ranges[index - 1] as [number, number])[1])) {
    const listed: number[] = [];
    for (const [low, high] of ranges)
      for (let n = Math.max(low, 1); n <= Math.min(high, max); n += 1) listed.push(n);
    return listed;
  }
  const result = new Set<number>();
  for (const range of set) {
    const [low, high] = resolveRange(range, max);
    for (let n = Math.max(low, 1); n <= Math.min(high, max); n += 1) result.add(n);
  }
  return [...result].sort((x, y) => x - y);
}

/** The members of `values` (e.g. the mailbox's UIDs) that are in the set; `*` is `max`. */
export function filterBySequenceSet(set: SequenceSet, values: readonly number[], max: number): number[] {
  const ranges = set.map((range) => resolveRange(range, max));
  return values.filter((value) => ranges.some(([low, high]) => value >= low && value <= high));
}

/** The positions in `values` (ascending, e.g. the mailbox's UIDs) of the members in the set. */
export function indexesInSequenceSet(set: SequenceSet, values: readonly number[], max: number): number[] {
  const ranges = set.map((range) => resolveRange(range, max));
  const indexes: number[] = [];
  if (ranges.length === 1) {
    const [low, high] = ranges[0] as [number, number];
    for (let index = 0; index < values.length; index += 1) {
      const value = values[index] as number;
      if (value >= low && value <= high) indexes.push(index);
    }
    return indexes;
  }
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] as number;
    if (ranges.some(([low, high]) => value >= low && value <= high)) indexes.push(index);
  }
  return indexes;
}

/**
 * Compact form of a list of numbers, in the given order: runs of consecutive ascending numbers
 * become `a:b`. RFC 4315 COPYUID pairs source and destination UIDs by position, so the order is
 * kept; sort first when order does not matter.
 */
export function formatSequenceSet(values: readonly number[]): string {
  const parts: string[] = [];
  let runStart: number | undefined;
  let runEnd = 0;
  for (const value of values) {
    if (runStart !== undefined && value === runEnd + 1) {
      runEnd = value;
      continue;
    }
    if (runStart !== undefined) parts.push(runStart === runEnd ? `${runStart}` : `${runStart}:${runEnd}`);
    runStart = value;
    runEnd = value;
  }
  if (runStart !== undefined) parts.push(runStart === runEnd ? `${runStart}` : `${runStart}:${runEnd}`);
  return parts.join(',');
}
