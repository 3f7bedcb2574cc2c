/**
 * SORT arguments (RFC 5256 3, with RFC 5957 DISPLAYFROM/DISPLAYTO):
 * sort = ["UID" SP] "SORT" SP sort-criteria SP search-charset 1*(SP search-key), and RFC 5267
 * 3's extended-sort = ["UID" SP] "SORT" search-return-opts SP sort-criteria SP search-criteria.
 */
import { ImapWireError } from './errors.js';
import type { ArgReader } from './reader.js';
import {
  readCharset,
  readReturnSpec,
  readSearchKeys,
  type PartialRange,
  type SearchKey,
  type SearchParseOptions,
  type SearchReturnOption,
} from './search.js';

/** RFC 5256 3 sort-key, and RFC 5957 2's DISPLAYFROM and DISPLAYTO. */
export const SORT_KEYS = [
  'ARRIVAL',
  'CC',
  'DATE',
  'FROM',
  'SIZE',
  'SUBJECT',
  'TO',
  'DISPLAYFROM',
  'DISPLAYTO',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface SortCriterion {
  readonly key: SortKey;
  readonly reverse: boolean;
}

export interface SortArgs {
  /** RFC 5267 3 (ESORT): the RETURN options, as SEARCH's; null without RETURN (`* SORT`). */
  readonly returnOptions: readonly SearchReturnOption[] | null;
  /** RFC 5267 4.4: `RETURN (PARTIAL low:high)`, else null. */
  readonly partial: PartialRange | null;
  readonly sortCriteria: readonly SortCriterion[];
  readonly charset: string;
  readonly criteria: readonly SearchKey[];
}

export function readSortArgs(reader: ArgReader, options: SearchParseOptions): SortArgs {
  reader.space();
  const spec = reader.tryWord('RETURN') ? readReturnSpec(reader) : null;
  try {
    // RFC 5256 3: sort-criteria = "(" sort-criterion *(SP sort-criterion) ")".
    const sortCriteria = reader.readList(() => readCriterion(reader), false);
    reader.space();
    const charset = readCharset(reader);
    reader.space();
    return {
      returnOptions: spec?.options ?? null,
      partial: spec?.partial ?? null,
      sortCriteria,
      charset,
      criteria: readSearchKeys(reader, options),
    };
  } catch (error) {
    // RFC 5182 2.1: a failed command that asked to SAVE empties the saved result, as SEARCH does.
    if (error instanceof ImapWireError && spec?.options.includes('SAVE') === true)
      throw error.resettingSavedResult();
    throw error;
  }
}

/** sort-criterion = ["REVERSE" SP] sort-key. */
function readCriterion(reader: ArgReader): SortCriterion {
  let word = reader.readAtom('a sort key').toUpperCase();
  let reverse = false;
  if (word === 'REVERSE') {
    reverse = true;
    reader.space();
    word = reader.readAtom('a sort key').toUpperCase();
  }
  if (!(SORT_KEYS as readonly string[]).includes(word))
    throw reader.error(`Unknown sort key ${word.slice(0, 40)}`);
  return { key: word as SortKey, reverse };
}

/** RFC 5256 4 algorithms, and Dovecot's REFS. */
export const THREAD_ALGORITHMS = ['ORDEREDSUBJECT', 'REFERENCES', 'REFS'] as const;
export type ThreadAlgorithmName = (typeof THREAD_ALGORITHMS)[number];

export interface ThreadArgs {
  readonly algorithm: ThreadAlgorithmName;
  readonly charset: string;
  readonly criteria: readonly SearchKey[];
}

/** RFC 5256 5: thread = ["UID" SP] "THREAD" SP thread-alg SP search-charset 1*(SP search-key). */
export function readThreadArgs(reader: ArgReader, options: SearchParseOptions): ThreadArgs {
  reader.space();
  const algorithm = reader.readAtom('a threading algorithm').toUpperCase();
  if (!(THREAD_ALGORITHMS as readonly string[]).includes(algorithm))
    throw reader.error(`Unknown threading algorithm ${algorithm.slice(0, 40)}`);
  reader.space();
  const charset = readCharset(reader);
  reader.space();
  return { algorithm: algorithm as ThreadAlgorithmName, charset, criteria: readSearchKeys(reader, options) };
}
