/**
 * Large messages go to disk while they arrive (docs/adr/0027). An IMAP APPEND literal or SMTP
 * DATA above a threshold is streamed to a file of its own in the spool directory (mode 0600, in a
 * 0700 directory of the data dir) instead of being held in memory, so many large messages at once
 * cost a bounded amount of memory each; the store reads the file when the message's commit
 * comes, and the reply is still sent only after that commit. Every file is removed on every way a
 * message can end: stored, refused, store error, client abort, timeout, BYE, server close,
 * process exit; files left by a killed process are swept when the next spool opens.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  createWriteStream,
  mkdirSync,
  readdirSync,
  statSync,
  unlinkSync,
  type WriteStream,
} from 'node:fs';
import { join } from 'node:path';
import { LIMITS } from './limits.js';

export interface MessageSpoolOptions {
  /** Where the files go; created 0700 if missing. The app passes `<data dir>/spool`. */
  dir: string;
  /** Messages larger than this go to a file (default LIMITS.spoolThresholdBytes). */
  thresholdBytes?: number;
  /** Leftover files older than this are removed at start (default LIMITS.spoolStaleAfterMs). */
  staleAfterMs?: number;
}

/** Where a finished message is: still in memory (small), or in a spool file (large). */
export type SpoolOutcome =
  { kind: 'memory'; chunks: Buffer[]; size: number } | { kind: 'file'; path: string; size: number };

/** Writing a spool file failed (disk full, I/O error): the message cannot be taken now. */
export class SpoolError extends Error {
  readonly code: string | undefined;
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'SpoolError';
    this.code = (options.cause as NodeJS.ErrnoException | undefined)?.code;
  }
}

const SPOOL_SUFFIX = '.msg';
/** Bytes queued on one file before the writer asks its producer to wait (backpressure). */
const WRITE_HIGH_WATER = 1024 * 1024;

/** Every writer with a file, of every spool: removed synchronously if the process exits. */
const openFiles = new Set<SpoolWriter>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const writer of openFiles) writer.discard();
  });
}

export class MessageSpool {
  readonly dir: string;
  readonly thresholdBytes: number;
  private readonly writers = new Set<SpoolWriter>();

  constructor(options: MessageSpoolOptions) {
    this.dir = options.dir;
    this.thresholdBytes = options.thresholdBytes ?? LIMITS.spoolThresholdBytes;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // mkdir leaves an existing directory's mode alone: the spool holds mail, only we may look.
    chmodSync(this.dir, 0o700);
    this.sweep(options.staleAfterMs ?? LIMITS.spoolStaleAfterMs);
    installExitHook();
  }

  /** A writer for one message; `expectedSize` (IMAP literals know theirs) spools at once when large. */
  writer(expectedSize?: number): SpoolWriter {
    const writer = new SpoolWriter(this, expectedSize, (done) => this.writers.delete(done));
    this.writers.add(writer);
    return writer;
  }

  /** Spool files this spool has on disk now. */
  get fileCount(): number {
    let count = 0;
    for (const writer of this.writers) if (writer.path !== null) count += 1;
    return count;
  }

  /** Removes every file still in use (server close, SIGTERM): no reply was sent for any of them. */
  discardAll(): void {
    for (const writer of [...this.writers]) writer.discard();
  }

  /** A fresh file name: time, process and randomness, so processes sharing a data dir never collide. */
  newPath(): string {
    return join(this.dir, `${Date.now()}-${process.pid}-${randomBytes(8).toString('hex')}${SPOOL_SUFFIX}`);
  }

  /**
   * Removes files a killed process left behind. Only old ones: another process on the same data
   * dir (SMTP and IMAP containers on one volume) may be writing a young one right now.
   */
  private sweep(staleAfterMs: number): void {
    const before = Date.now() - staleAfterMs;
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith(SPOOL_SUFFIX)) continue;
      const path = join(this.dir, name);
      try {
        if (statSync(path).mtimeMs < before) unlinkSync(path);
      } catch {
        // Gone already (another process swept it): nothing to do.
      }
    }
  }
}

/**
 * One message on its way in. Bytes are kept in memory up to the spool's threshold; past it (or
 * at once when the expected size is larger) they go to a new file. `write` returns false when the
 * producer should wait for `drained()`. After a disk failure further bytes are accepted and
 * dropped, so the protocol can read the message to its end and then refuse it.
 */
export class SpoolWriter {
  private chunks: Buffer[] | null = [];
  private written = 0;
  private file: WriteStream | null = null;
  private failure: SpoolError | null = null;
  private discarded = false;
  /** The file, while there is one. */
  path: string | null = null;

  constructor(
    private readonly spool: MessageSpool,
    expectedSize: number | undefined,
    private readonly onDone: (writer: SpoolWriter) => void,
  ) {
    if (expectedSize !== undefined && expectedSize > spool.thresholdBytes) this.openFile();
  }

  /** Octets written so far. */
  get size(): number {
    return this.written;
  }

  /** True once the message went to a file (the memory it held was given up). */
  get spilled(): boolean {
    return this.chunks === null;
  }

  write(chunk: Buffer): boolean {
    if (this.discarded) return true;
    this.written += chunk.length;
    if (this.failure !== null) return true;
    if (this.chunks !== null) {
      this.chunks.push(chunk);
      if (this.written <= this.spool.thresholdBytes) return true;
      this.openFile();
      return this.file === null || this.file.writableLength < WRITE_HIGH_WATER;
    }
    return this.file?.write(chunk) ?? true;
  }

  /** Sends the message to a file now, whatever its size so far (e.g. when memory has no room). */
  spill(): void {
    if (this.chunks !== null && !this.discarded && this.failure === null) this.openFile();
  }

  /** Resolves when the file has taken what was queued (at once when nothing waits). */
  drained(): Promise<void> {
    const file = this.file;
    if (file === null || !file.writableNeedDrain || this.failure !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        file.off('drain', done);
        file.off('close', done);
        resolve();
      };
      file.on('drain', done);
      file.on('close', done);
    });
  }

  /** All bytes are in: where the message is. Rejects with SpoolError if the file could not be written. */
  async finish(): Promise<SpoolOutcome> {
    if (this.discarded) throw new Error('spool writer was discarded');
    if (this.chunks !== null) {
      const outcome: SpoolOutcome = { kind: 'memory', chunks: this.chunks, size: this.written };
      this.chunks = [];
      this.onDone(this);
      return outcome;
    }
    const file = this.file;
    const path = this.path;
    if (this.failure === null && file !== null && path !== null) {
      await new Promise<void>((resolve) => {
        file.once('close', () => resolve());
        file.end();
      });
    }
    if (this.failure !== null || path === null) {
      const failure = this.failure ?? new SpoolError('spool file is gone', { cause: undefined });
      this.discard();
      throw failure;
    }
    return { kind: 'file', path, size: this.written };
  }

  /** Gives up the message: the file (if any) is removed now. Idempotent; safe at process exit. */
  discard(): void {
    if (this.discarded) return;
    this.discarded = true;
    this.chunks = null;
    this.file?.destroy();
    this.file = null;
    this.removeFile();
    this.onDone(this);
  }

  private openFile(): void {
    const path = this.spool.newPath();
    this.path = path;
    openFiles.add(this);
    // 'wx': a new file only, never an existing one; 0600: only the server may read the mail.
    const file = createWriteStream(path, { flags: 'wx', mode: 0o600, highWaterMark: WRITE_HIGH_WATER });
    file.on('error', (error) => {
      this.failure ??= new SpoolError(`writing spool file failed: ${error.message}`, { cause: error });
      this.file = null;
      file.destroy();
      this.removeFile();
    });
    // A discard before the asynchronous open finished found no file to remove; the open may have
    // created it since. Once the stream is closed, a file this writer no longer claims is removed.
    file.once('close', () => {
      if (this.path !== path) removeQuietly(path);
    });
    this.file = file;
    const chunks = this.chunks ?? [];
    this.chunks = null;
    for (const chunk of chunks) file.write(chunk);
  }

  private removeFile(): void {
    const path = this.path;
    if (path === null) return;
    this.path = null;
    openFiles.delete(this);
    removeQuietly(path);
  }
}

/** Removes a file; one not created yet is removed when its stream closes (see openFile). */
function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // ENOENT: not there (yet, or any more). Nothing else can be done in an exit handler either.
  }
}
