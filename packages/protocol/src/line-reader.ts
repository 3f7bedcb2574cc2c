import type { Readable } from 'node:stream';
import { LIMITS } from './limits.js';

const LF = 0x0a;
const CR = 0x0d;

/**
 * Thrown by `readLine()` for a line longer than the limit. By the time it is thrown the whole
 * overlong line (through its LF) has been consumed without being kept in memory, so the session
 * can answer the protocol's error and read the next command.
 */
export class LineTooLongError extends Error {
  readonly code = 'LINE_TOO_LONG' as const;
  constructor(readonly maxLineBytes: number) {
    super(`line longer than ${maxLineBytes} bytes`);
    this.name = 'LineTooLongError';
  }
}

export interface LineReaderOptions {
  /** Longest line returned, without its line ending. Defaults to LIMITS.maxLineBytes. */
  maxLineBytes?: number;
  /** Buffered bytes at which the source is paused. Defaults to LIMITS.readBufferBytes. */
  highWaterMark?: number;
}

/**
 * Reads CRLF (or bare LF) terminated lines and exact byte counts (IMAP literals) from a socket,
 * with bounded memory. One read at a time: the session loop awaits each read before the next.
 *
 * Memory: the source is paused once `highWaterMark` bytes are buffered and resumed only while a
 * read is waiting for data, so a client pipelining faster than we answer is held back by TCP.
 * An overlong line is dropped chunk by chunk while it streams in.
 *
 * STARTTLS: `detach()` stops reading the plain socket, `discardBuffered()` drops what the client
 * pipelined after the command, and `attach(tlsSocket)` continues on the encrypted stream.
 */
export class LineReader {
  readonly maxLineBytes: number;
  readonly highWaterMark: number;

  private source: Readable | null = null;
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  /** Bytes at the front of the buffer already known to hold no LF, so rescans start after them. */
  private scannedBytes = 0;
  /** True while the rest of an overlong line is being thrown away. */
  private discardingLine = false;
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private reading = false;

  private readonly onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.bufferedBytes += bytes.length;
    if (this.bufferedBytes >= this.highWaterMark) this.source?.pause();
    this.notify();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.notify();
  };
  private readonly onError = (error: Error): void => {
    this.failure = error;
    this.notify();
  };

  constructor(source: Readable | null, options: LineReaderOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? LIMITS.maxLineBytes;
    this.highWaterMark = options.highWaterMark ?? LIMITS.readBufferBytes;
    if (source) this.attach(source);
  }

  /** Bytes received and not yet returned by a read. */
  get buffered(): number {
    return this.bufferedBytes;
  }

  /** Start reading from `source` (a new TLS socket after STARTTLS). Clears end-of-stream state. */
  attach(source: Readable): void {
    if (this.source) throw new Error('LineReader: detach() the current source before attaching another');
    this.source = source;
    this.ended = false;
    this.failure = null;
    // 'close' covers sources destroyed without a FIN ('end') or an 'error'.
    source.on('data', this.onData);
    source.on('end', this.onEnd);
    source.on('close', this.onEnd);
    source.on('error', this.onError);
    if (this.bufferedBytes >= this.highWaterMark) source.pause();
    else source.resume();
  }

  /**
   * Stop reading from the current source and pause it, keeping whatever is buffered. Bytes still
   * unread in the source stay there (for STARTTLS they become the TLS socket's ciphertext).
   */
  detach(): void {
    const source = this.source;
    if (!source) return;
    source.pause();
    source.off('data', this.onData);
    source.off('end', this.onEnd);
    source.off('close', this.onEnd);
    source.off('error', this.onError);
    this.source = null;
  }

  /** Remove and return every buffered byte (e.g. to inspect or log what was pipelined). */
  takeBuffered(): Buffer {
    const all = Buffer.concat(this.chunks, this.bufferedBytes);
    this.chunks = [];
    this.bufferedBytes = 0;
    this.scannedBytes = 0;
    this.discardingLine = false;
    return all;
  }

  /**
   * Drop every buffered byte and return how many there were. RFC 3207 4.2 and RFC 2595 3.1: after
   * STARTTLS/STLS the server discards anything the client sent before the handshake, so plaintext
   * pipelined behind the command cannot be injected into the encrypted session (CVE-2011-0411).
   */
  discardBuffered(): number {
    return this.takeBuffered().length;
  }

  /**
   * The next line without its CRLF or LF, or null at end of stream (an unterminated last line is
   * not a command and is dropped). Throws LineTooLongError for an overlong line (already consumed)
   * and rejects with the socket's error if the connection failed.
   *
   * `maxLineBytes` bounds this one read (e.g. POP3's 255-octet command line, while the reader's
   * own bound admits a longer SASL response); an overlong line is dropped without being buffered.
   */
  async readLine(maxLineBytes = this.maxLineBytes): Promise<Buffer | null> {
    return this.exclusive(async () => {
      while (true) {
        if (this.discardingLine) {
          const lf = this.findLf(this.bufferedBytes);
          if (lf >= 0) {
            this.drop(lf + 1);
            this.discardingLine = false;
            throw new LineTooLongError(maxLineBytes);
          }
          this.drop(this.bufferedBytes);
        } else {
          // A line of maxLineBytes plus CR plus LF is the longest that can still be accepted.
          const lf = this.findLf(Math.min(this.bufferedBytes, maxLineBytes + 2));
          if (lf >= 0) {
            const raw = this.take(lf + 1);
            const end = lf > 0 && raw[lf - 1] === CR ? lf - 1 : lf;
            if (end > maxLineBytes) throw new LineTooLongError(maxLineBytes);
            return raw.subarray(0, end);
          }
          if (this.bufferedBytes >= maxLineBytes + 2) {
            // No LF within reach: the line is too long whatever comes next. Stop keeping it, and
            // look for its end in what is already buffered (pipelined lines may follow it).
            this.drop(maxLineBytes + 2);
            this.discardingLine = true;
            continue;
          }
        }
        if (this.failure) throw this.failure;
        if (this.ended) {
          this.drop(this.bufferedBytes);
          if (this.discardingLine) {
            this.discardingLine = false;
            throw new LineTooLongError(maxLineBytes);
          }
          return null;
        }
        await this.waitForData();
      }
    });
  }

  /**
   * Exactly `count` bytes (an IMAP literal, RFC 3501 4.3), or null if the stream ends first. The
   * caller bounds `count` (the literal size limit) before calling: the bytes are returned whole.
   */
  async readBytes(count: number): Promise<Buffer | null> {
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`invalid byte count ${count}`);
    return this.exclusive(async () => {
      while (this.bufferedBytes < count) {
        if (this.failure) throw this.failure;
        if (this.ended) {
          this.drop(this.bufferedBytes);
          return null;
        }
        await this.waitForData();
      }
      return this.take(count);
    });
  }

  private async exclusive<T>(read: () => Promise<T>): Promise<T> {
    if (this.reading) throw new Error('LineReader: a read is already in progress');
    this.reading = true;
    try {
      return await read();
    } finally {
      this.reading = false;
    }
  }

  private waitForData(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      // Reading resumes only while someone waits: this is the backpressure.
      this.source?.resume();
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Offset of the first LF among the first `limit` buffered bytes, or -1. */
  private findLf(limit: number): number {
    let offset = 0;
    for (const chunk of this.chunks) {
      if (offset >= limit) break;
      const end = Math.min(chunk.length, limit - offset);
      const start = Math.max(0, this.scannedBytes - offset);
      if (start < end) {
        const index = chunk.subarray(0, end).indexOf(LF, start);
        if (index >= 0) return offset + index;
      }
      offset += chunk.length;
    }
    this.scannedBytes = Math.max(this.scannedBytes, Math.min(limit, this.bufferedBytes));
    return -1;
  }

  /** Remove and return the first `count` buffered bytes (count <= bufferedBytes). */
  private take(count: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= count) {
      const out = first.subarray(0, count);
      this.drop(count);
      return out;
    }
    const parts: Buffer[] = [];
    let remaining = count;
    for (const chunk of this.chunks) {
      if (remaining <= 0) break;
      parts.push(chunk.length <= remaining ? chunk : chunk.subarray(0, remaining));
      remaining -= chunk.length;
    }
    const out = Buffer.concat(parts, count);
    this.drop(count);
    return out;
  }

  /** Forget the first `count` buffered bytes (count <= bufferedBytes). */
  private drop(count: number): void {
    let remaining = count;
    while (remaining > 0) {
      const chunk = this.chunks[0];
      if (!chunk) break;
      if (chunk.length <= remaining) {
        this.chunks.shift();
        remaining -= chunk.length;
      } else {
        this.chunks[0] = chunk.subarray(remaining);
        remaining = 0;
      }
    }
    this.bufferedBytes -= count;
    this.scannedBytes = Math.max(0, this.scannedBytes - count);
  }
}
