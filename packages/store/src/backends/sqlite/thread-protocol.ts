import type { StoreErrorCode } from '../../core/types.js';
import type { SqliteOpName } from './write-ops.js';

/** One write to run: its id (for the answer), the op and its arguments. */
export interface PostedWrite {
  id: number;
  name: SqliteOpName;
  args: unknown[];
  durable: boolean;
}

/** What the store's thread sends the writer thread (docs/adr/0013). */
export type ToWriter =
  /** The writes started during one turn of the store thread's event loop, in order. */
  { type: 'run'; writes: PostedWrite[] } | { type: 'close' };

/** One settled write: its id, and its value or the StoreError it failed with. */
export type Settled =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; code: StoreErrorCode; message: string };

/** What the writer thread sends back, in the order it happened there. */
export type FromWriter =
  /** A batch was committed (and made durable if it had to be): read the change feed now. */
  | { type: 'committed'; commits: number }
  /** Writes settled since the last message, in the order their promises settled. */
  | { type: 'settled'; results: Settled[] };

/** Data the writer thread starts with. */
export interface WriterThreadData {
  path: string;
}
