/**
 * RFC 4978 COMPRESS=DEFLATE: the connection's bytes both ways through raw DEFLATE (RFC 1951), as
 * a Duplex that stands in for the socket under the session's reader and writer (docs/adr/0025).
 *
 * Memory per connection is bounded by the zlib parameters below, and the reader's backpressure
 * reaches the socket: when the session stops reading, inflated bytes stop at the stream's
 * buffers (a few tens of KiB), the inflater stops taking input, and the socket is paused, so a
 * decompression bomb (a few KiB that inflate to gigabytes) costs CPU as the session reads, never
 * memory. Every response batch the session writes is followed by a sync flush (RFC 4978 4: the
 * client must be able to decode every response without waiting for more).
 */
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';

/**
 * zlib bounds, each with its reason. Deflate state is (1 << (windowBits + 2)) + (1 << (memLevel +
 * 9)) bytes: 32 KiB + 32 KiB here, a quarter of zlib's default 256 KiB, for a compression ratio on
 * IMAP text within a few percent of the default. Inflate state is 1 << windowBits plus ~7 KiB:
 * the window must be 32 KiB because the client picks its own (RFC 1951 allows up to 32 KiB, and
 * raw DEFLATE says nothing of it). Chunks of 16 KiB bound each buffer between the stages.
 */
export const DEFLATE_LIMITS = {
  deflateWindowBits: 13,
  deflateMemLevel: 6,
  inflateWindowBits: 15,
  chunkSize: 16 * 1024,
} as const;

export class CompressedStream extends Duplex {
  private readonly inflate: InflateRaw;
  private readonly deflate: DeflateRaw;
  /** Octets inflated from the client so far (tests check the backpressure with it). */
  inflatedBytes = 0;

  constructor(private readonly socket: Socket) {
    super({ highWaterMark: DEFLATE_LIMITS.chunkSize });
    this.inflate = createInflateRaw({
      windowBits: DEFLATE_LIMITS.inflateWindowBits,
      chunkSize: DEFLATE_LIMITS.chunkSize,
    });
    this.deflate = createDeflateRaw({
      windowBits: DEFLATE_LIMITS.deflateWindowBits,
      memLevel: DEFLATE_LIMITS.deflateMemLevel,
      chunkSize: DEFLATE_LIMITS.chunkSize,
    });
    // Client -> inflate -> this stream's readable side; pipe() pauses the socket when the
    // inflater's input is full, and the inflater is paused when nobody reads this stream.
    socket.pipe(this.inflate);
    this.inflate.on('data', (chunk: Buffer) => {
      this.inflatedBytes += chunk.length;
      if (!this.push(chunk)) this.inflate.pause();
    });
    this.inflate.on('end', () => this.push(null));
    this.inflate.on('error', (error) => this.destroy(error));
    // This stream's writable side -> deflate -> socket, with the socket's backpressure.
    this.deflate.on('data', (chunk: Buffer) => {
      if (!this.socket.write(chunk)) {
        this.deflate.pause();
        this.socket.once('drain', () => this.deflate.resume());
      }
    });
    this.deflate.on('error', (error) => this.destroy(error));
    socket.on('close', () => this.destroy());
    socket.on('error', (error) => this.destroy(error));
  }

  override _read(): void {
    this.inflate.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.deflate.write(chunk);
    // RFC 4978 4: a sync flush after each batch, so the response is complete on the client's side.
    this.deflate.flush(constants.Z_SYNC_FLUSH, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    // 'end' comes once the last compressed octets have been handed to the socket.
    this.deflate.once('end', () => {
      this.socket.end();
      callback();
    });
    this.deflate.end();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.unpipe(this.inflate);
    this.inflate.destroy();
    this.deflate.destroy();
    this.socket.destroy();
    callback(error);
  }

  /** The underlying connection (for its addresses); this stream is what the session reads and writes. */
  get connection(): Socket {
    return this.socket;
  }
}
