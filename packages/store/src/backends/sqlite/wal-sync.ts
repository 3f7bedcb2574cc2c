import { closeSync, fdatasync, fdatasyncSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Makes committed WAL frames durable without blocking the event loop
 * (docs/adr/0012-wal-fsync-off-the-event-loop.md).
 *
 * The connection runs with `synchronous=NORMAL`: a COMMIT appends its frames to the `-wal` file
 * and returns without an fsync (SQLite still syncs around checkpoints and when the WAL restarts).
 * The write queue then calls `sync()`, an `fdatasync` of that same file on libuv's thread pool,
 * and acknowledges the batch only when it has finished. A COMMIT followed by that fdatasync is what
 * `synchronous=FULL` does inside COMMIT; here the event loop keeps serving other sessions (and
 * running the next batch) while the disk works.
 *
 * Syncs are coalesced: a caller arriving while one is in flight waits for the NEXT one (the one in
 * flight may have started before its COMMIT), and everyone arriving meanwhile shares that next one.
 */
export class WalSync {
  private fd: number | null = null;
  private inFlight: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  /** `databasePath` is the SQLite file; its WAL is `<path>-wal` (SQLite's fixed naming). */
  constructor(private readonly databasePath: string) {}

  /** Resolves once every frame committed before this call is on stable storage. */
  sync(): Promise<void> {
    if (this.inFlight === null) return this.start();
    this.next ??= this.inFlight.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.next;
  }

  /**
   * The same fdatasync, on the calling thread: for the writer thread (docs/adr/0013), which has
   * nothing else to do meanwhile. It saves the hop through the thread pool and back, and writes
   * arriving during the sync form the next, larger batch. Rejects instead of throwing.
   */
  syncHere(): Promise<void> {
    try {
      this.syncNow();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Synchronous, for start-up (after migrations) and for syncHere: the same fdatasync as sync(). */
  syncNow(): void {
    fdatasyncSync(this.walFd());
  }

  /** Closes the WAL descriptor (the store calls it after its last write has been synced). */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private startQueued(): Promise<void> {
    this.next = null;
    return this.start();
  }

  private start(): Promise<void> {
    const running = new Promise<void>((resolve, reject) => {
      fdatasync(this.walFd(), (error) => (error ? reject(error) : resolve()));
    });
    this.inFlight = running;
    const clear = (): void => {
      if (this.inFlight === running) this.inFlight = null;
    };
    running.then(clear, clear);
    return running;
  }

  /**
   * The WAL's descriptor, opened on first use (the file exists once the connection has written).
   * SQLite never deletes or replaces the WAL while a connection (ours) has the database open, so
   * one descriptor stays valid; on first open the directory is synced too, so the file's entry is
   * as durable as its contents.
   */
  private walFd(): number {
    if (this.fd === null) {
      this.fd = openSync(`${this.databasePath}-wal`, 'r');
      const directory = openSync(dirname(this.databasePath), 'r');
      try {
        fsyncSync(directory);
      } finally {
        closeSync(directory);
      }
    }
    return this.fd;
  }
}
