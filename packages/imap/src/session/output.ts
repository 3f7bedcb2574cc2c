/**
 * The session's way out: responses are gathered into batches of OUTPUT_BATCH_BYTES and written
 * with backpressure (a write the kernel cannot take yet is awaited before more is produced).
 * `flush()` must run before the session waits for client input, so nothing the client waits for
 * stays buffered.
 */
import type { Socket } from 'node:net';
import { OUTPUT_BATCH_BYTES } from '../limits.js';

/** Thrown when the client is gone; ends the session quietly. */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
}

export class Output {
  /** Responses not yet written; null while none (an idle connection holds no array, issue 20). */
  private pending: Buffer[] | null = null;
  private pendingBytes = 0;

  /** Where every write goes; STARTTLS replaces it with the TLS socket. */
  constructor(public socket: Socket) {}

  async send(data: Buffer): Promise<void> {
    (this.pending ??= []).push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes >= OUTPUT_BATCH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    await this.flushNow();
  }

  /**
   * flush() without a promise when the socket takes everything at once (the usual case): null
   * then, else a promise that settles when the kernel has taken it (backpressure). The session's
   * wait for the client uses it, so an idle connection holds no promise for a finished write
   * (10,000 IDLE clients, issue 6). Throws ConnectionClosedError, not rejects, when the client is gone.
   */
  flushNow(): Promise<void> | null {
    const pending = this.pending;
    if (pending === null || pending.length === 0) return null;
    const data = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, this.pendingBytes);
    this.pending = null;
    this.pendingBytes = 0;
    const socket = this.socket;
    if (socket.destroyed || !socket.writable) throw new ConnectionClosedError('client is gone');
    if (socket.write(data)) return null;
    // Backpressure: wait until the kernel took what we wrote (a big FETCH never piles up in memory).
    return new Promise<void>((resolve, reject) => {
      const onDrain = (): void => {
        cleanup();
        resolve();
      };
      const onClose = (): void => {
        cleanup();
        reject(new ConnectionClosedError('client is gone'));
      };
      const cleanup = (): void => {
        socket.off('drain', onDrain);
        socket.off('close', onClose);
      };
      socket.on('drain', onDrain);
      socket.on('close', onClose);
    });
  }
}
