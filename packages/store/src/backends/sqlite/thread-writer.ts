import { Worker } from 'node:worker_threads';
import type { FromWriter, PostedWrite, Settled, ToWriter, WriterThreadData } from './thread-protocol.js';
import { StoreError } from '../../core/types.js';
import type { SqliteOpArgs, SqliteOpName, SqliteOpResult } from './write-ops.js';
import type { Durability } from './write-queue.js';
import type { Writer } from './writer.js';

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: StoreError) => void;
}

/**
 * Runs the store's writes on a worker thread with its own connection (docs/adr/0013): the SQL,
 * the COMMIT and its WAL writes leave the event loop that serves the sessions. Every promise still
 * settles only once its batch is durable; the thread tells us so, and tells us before that the
 * batch was committed, so the change feed is read first, exactly as an inline store does.
 */
export class ThreadWriter implements Writer {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  /** Writes started this turn, posted together (one message, not one per write) by `post`. */
  private outgoing: PostedWrite[] = [];
  private commits = 0;
  private idleWaiters: Array<() => void> = [];
  /** Set once the thread has died: every later write fails at once. */
  private failure: StoreError | null = null;
  private readonly exited: Promise<void>;
  private closing = false;

  constructor(
    path: string,
    private readonly afterCommit: () => void,
    private readonly onFailure: (error: unknown) => void,
  ) {
    const workerData: WriterThreadData = { path };
    this.worker = new Worker(writerThreadScript(), { workerData });
    // Idle, the thread must not keep the process alive on its own; it is ref'd while writes wait.
    this.worker.unref();
    this.worker.on('message', (message: FromWriter) => this.receive(message));
    this.worker.on('error', (error) => this.fail(error));
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        // Closing, the thread answers every write before it exits; any write still waiting then
        // would otherwise wait forever.
        if (!this.closing || this.waiting.size > 0) {
          this.fail(new Error(`writer thread exited (code ${code})`));
        }
        resolve();
      });
    });
  }

  get commitCount(): number {
    return this.commits;
  }

  run<K extends SqliteOpName>(
    name: K,
    args: SqliteOpArgs<K>,
    durability: Durability,
  ): Promise<SqliteOpResult<K>> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      // setImmediate, as the write queue batches: every write started by this turn's I/O callbacks
      // goes in one message, and reaches the thread's queue in time to share one transaction.
      if (this.outgoing.length === 0) setImmediate(() => this.post());
      this.outgoing.push({ id, name, args, durable: durability === 'durable' });
    });
  }

  private post(): void {
    const message: ToWriter = { type: 'run', writes: this.outgoing };
    this.outgoing = [];
    // A thread that died meanwhile has already failed these writes; posting to it is a no-op.
    if (this.failure === null) this.worker.postMessage(message);
  }

  drained(): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      if (this.failure === null) {
        this.worker.ref();
        // Writes still waiting for their turn's post go first: the thread settles them, then closes.
        if (this.outgoing.length > 0) this.post();
        const message: ToWriter = { type: 'close' };
        this.worker.postMessage(message);
      }
    }
    await this.exited;
  }

  private receive(message: FromWriter): void {
    if (message.type === 'committed') {
      this.commits = message.commits;
      this.afterCommit();
    } else {
      for (const result of message.results) this.settle(result);
      if (this.waiting.size === 0) this.becameIdle();
    }
  }

  private settle(result: Settled): void {
    const waiting = this.waiting.get(result.id);
    if (waiting === undefined) return;
    this.waiting.delete(result.id);
    if (result.ok) waiting.resolve(result.value);
    else waiting.reject(new StoreError(result.code, result.message));
  }

  private becameIdle(): void {
    this.worker.unref();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private fail(error: unknown): void {
    if (this.failure !== null) return;
    // TEMPORARY: whether the writes in flight were committed is unknown; the sender retries.
    this.failure = new StoreError('TEMPORARY', 'the store writer thread stopped', { cause: error });
    this.onFailure(error);
    for (const waiting of this.waiting.values()) waiting.reject(this.failure);
    this.waiting.clear();
    this.becameIdle();
  }
}

/**
 * The thread's script beside this module. Under vitest this module runs from its TypeScript
 * source, which a worker cannot load, so it takes the built file (turbo builds a package before
 * testing it; the store's tests check that dist is fresh, test-support/dist-build.ts).
 */
function writerThreadScript(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new URL('../../../dist/backends/sqlite/write-thread.js', here)
    : new URL('./write-thread.js', here);
}
