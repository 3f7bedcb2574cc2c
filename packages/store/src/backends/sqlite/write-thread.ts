/**
 * The writer thread's entry (docs/adr/0013): its own connection to the store file, the same
 * WriteOps and group-commit WriteQueue as an inline store, and a message port instead of callers.
 * Started by ThreadWriter; never imported by the store's own thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './db.js';
import { toStoreError } from './errors.js';
import { createStoreParts } from './store-parts.js';
import type { FromWriter, Settled, ToWriter, WriterThreadData } from './thread-protocol.js';
import { WalSync } from './wal-sync.js';
import { applyOp, WriteOps, type SqliteOpArgs, type SqliteOpName } from './write-ops.js';
import { WriteQueue } from './write-queue.js';

const port = parentPort;
if (port === null) throw new Error('write-thread.js runs only as a worker thread');
const { path } = workerData as WriterThreadData;

const db = openDatabase(path);
const walSync = new WalSync(path);
const parts = createStoreParts(db);
const ops = new WriteOps(parts);
const queue = new WriteQueue(
  db,
  // Runs right before a batch's promises settle, as in an inline store: the feed is read first.
  () => send({ type: 'committed', commits: queue.commitCount }),
  // Synchronously: this thread exists to write, and the batch waiting meanwhile only grows
  // (measured: 4 of 4 paired bench runs faster than syncing on the thread pool, ~5%).
  () => walSync.syncHere(),
  parts.search.deferredWrites,
);

let outbox: Settled[] = [];

function send(message: FromWriter): void {
  port?.postMessage(message);
}

/** One message for every write a batch settles, sent after the batch's last promise reaction. */
function settle(result: Settled): void {
  if (outbox.length === 0) queueMicrotask(flushOutbox);
  outbox.push(result);
}

function flushOutbox(): void {
  if (outbox.length === 0) return;
  const results = outbox;
  outbox = [];
  send({ type: 'settled', results });
}

function run(id: number, name: SqliteOpName, args: unknown[], durable: boolean): void {
  queue
    .run(() => applyOp(ops, name, args as SqliteOpArgs<typeof name>), durable ? 'durable' : 'visible')
    .then(
      (value) => settle({ id, ok: true, value }),
      (error: unknown) => {
        const storeError = toStoreError(error);
        settle({ id, ok: false, code: storeError.code, message: storeError.message });
      },
    );
}

/** Settles what is queued and sends every result before the port closes (the thread then exits). */
async function close(): Promise<void> {
  await queue.drained();
  flushOutbox();
  walSync.close();
  db.close();
  port?.close();
}

port.on('message', (message: ToWriter) => {
  if (message.type === 'run') {
    for (const write of message.writes) run(write.id, write.name, write.args, write.durable);
  } else void close();
});
