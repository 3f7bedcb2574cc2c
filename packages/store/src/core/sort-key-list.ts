/**
 * The lean SORT/THREAD listing behind `listSortKeys` (docs/adr/0037): the database builds ONE
 * JSON text for the whole mailbox, `[[uid,internal_date,size,keys],...]`, where `keys` is the
 * JSON each body's sort keys were recorded as (or null), and it is parsed here in one call. One
 * row per message costs an array per row in better-sqlite3 and pg alike (docs/adr/0032).
 */
import type { MessageSortKeyList } from './types.js';

type Row = [number, number, number, unknown];

/** Parses a backend's aggregated text (null: an empty mailbox). */
export function parseSortKeyList(text: string | null): MessageSortKeyList {
  const rows = text === null || text === '' ? [] : (JSON.parse(text) as Row[]);
  let ascending = true;
  for (let i = 1; i < rows.length; i += 1)
    if ((rows[i] as Row)[0] <= (rows[i - 1] as Row)[0]) {
      ascending = false;
      break;
    }
  // SQL does not promise the order of an aggregate's input: put it right if it ever differs.
  if (!ascending) rows.sort((a, b) => a[0] - b[0]);
  const count = rows.length;
  const uids = new Array<number>(count);
  const internalDates = new Array<number>(count);
  const sizes = new Array<number>(count);
  const keys = new Array<unknown>(count);
  for (let i = 0; i < count; i += 1) {
    const row = rows[i] as Row;
    uids[i] = Number(row[0]);
    internalDates[i] = Number(row[1]);
    sizes[i] = Number(row[2]);
    keys[i] = row[3] ?? null;
  }
  return { uids, internalDates, sizes, keys };
}

/** Whether every message has its keys recorded (only such lists are kept by the core store). */
export function isComplete(list: MessageSortKeyList): boolean {
  for (const value of list.keys) if (value === null) return false;
  return true;
}
