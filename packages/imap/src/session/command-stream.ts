/**
 * Socket bytes -> command frames, one at a time, with backpressure: the socket is paused while
 * an assembled command waits to be handled, so a client pipelining faster than we answer is held
 * back by TCP and memory stays bounded (the assembler bounds each command, protocol/limits.ts).
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  processMessageBudget,
  type MemoryReservation,
  type MessageMemoryBudget,
  type MessageSpool,
} from '@minimail/protocol';
import { CommandAssembler, type AssemblerEvent } from '../protocol/assembler.js';

/**
 * Budget an APPEND literal takes per octet: the literal itself, plus the store's working copies
 * while it is written (SQLite binds a copy of the body; the MIME structure is computed from it).
 * Measured: two 64 MiB APPENDs at once (factor 2) peaked at 256 MiB above the warm process.
 */
const APPEND_MEMORY_FACTOR = 3;

export type StreamEvent =
  | AssemblerEvent
  | { kind: 'end' }
  | { kind: 'timeout' }
  | { kind: 'shutdown' }
  /** `poke()` was called: something else (a mailbox change during IDLE) wants attention. */
  | { kind: 'poke' };

export class CommandStream {
  private readonly assembler: CommandAssembler;
  /** The budget share of the last APPEND frame handed out: its command is answered by the next next(). */
  private answered: MemoryReservation | null = null;
  private readonly queue: AssemblerEvent[] = [];
  private socket: Socket | TLSSocket | null = null;
  private ended = false;
  /** The pending next(), if the session is waiting for the client. */
  private waiter: { resolve: (event: StreamEvent) => void; timer: NodeJS.Timeout } | null = null;
  private poked = false;

  private readonly onData = (chunk: Buffer): void => {
    this.queue.push(...this.assembler.push(chunk));
    // Nothing more is read until the session has taken what is queued.
    if (this.queue.length > 0) this.socket?.pause();
    const spoolBehind = this.assembler.takeBackpressure();
    if (spoolBehind !== null) {
      // A spool file is behind the client: TCP holds the rest back until the disk has caught up.
      const socket = this.socket;
      socket?.pause();
      void spoolBehind.then(() => {
        if (this.socket === socket && this.queue.length === 0 && !this.ended) socket?.resume();
      });
    }
    this.notify();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    // A literal the client stopped sending will never be complete: it holds no budget.
    this.assembler.releaseUnclaimed();
    // The listener's shutdown signal outlives every connection: a listener left on it would keep
    // this stream (and its socket) in memory until the server closes. Once ended, next() answers
    // `end` before it looks at the signal, so the listener is no longer needed.
    this.signal.removeEventListener('abort', this.onAbort);
    this.notify();
  };
  private readonly onAbort = (): void => this.notify();
  /** Gone for good: nothing queued can be answered, so no message of this connection holds budget. */
  private readonly onClose = (): void => {
    this.releaseReservations();
    this.onEnd();
  };

  constructor(
    socket: Socket | TLSSocket,
    private readonly signal: AbortSignal,
    /** Bounds the APPEND literals held in memory by the whole process (issue 11). */
    budget: MessageMemoryBudget = processMessageBudget,
    /** RFC 7888: LITERAL- alone bounds non-synchronizing literals (assembler option of that name). */
    maxNonSyncLiteralSize?: number,
    /** Where APPEND literals above its threshold go instead of memory (docs/adr/0027); null: none. */
    spool: MessageSpool | null = null,
  ) {
    this.assembler = new CommandAssembler({
      reserveAppend: (size) => budget.tryReserve(size * APPEND_MEMORY_FACTOR),
      ...(maxNonSyncLiteralSize === undefined ? {} : { maxNonSyncLiteralSize }),
      ...(spool === null
        ? {}
        : { spoolAppend: (size: number) => (size > spool.thresholdBytes ? spool.writer(size) : null) }),
    });
    this.attach(socket);
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  attach(socket: Socket | TLSSocket): void {
    this.socket = socket;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', this.onEnd);
    socket.resume();
  }

  /**
   * STARTTLS (RFC 3501 6.2.1, RFC 2595 3.1): stop reading the plain socket and forget everything
   * the client pipelined behind the command, so plaintext cannot be injected into the TLS session.
   */
  detachAndDiscard(): void {
    const socket = this.socket;
    if (socket) {
      socket.pause();
      socket.off('data', this.onData);
      socket.off('end', this.onEnd);
      socket.off('close', this.onClose);
      socket.off('error', this.onEnd);
    }
    this.socket = null;
    this.releaseReservations();
    this.queue.length = 0;
    this.assembler.reset();
  }

  /** True when the reader can no longer trust the stream (RFC 7888 4): close after replying. */
  get failed(): boolean {
    return this.assembler.failed;
  }

  /**
   * The next event, waiting at most `timeoutMs`. `end` when the client is gone, `shutdown` when
   * the server is closing, `timeout` when the client said nothing for that long.
   *
   * Not an async function: an idle connection spends its life waiting here, and a plain promise
   * settled by notify() holds less than a suspended async frame (10,000 IDLE clients, issue 6).
   */
  next(timeoutMs: number): Promise<StreamEvent> {
    // The session asks for the next event only once the previous command has been answered:
    // an APPEND's message is stored (or refused) by now.
    this.answered?.release();
    this.answered = null;
    const ready = this.readyEvent();
    if (ready) return Promise.resolve(ready);
    if (timeoutMs <= 0) return Promise.resolve({ kind: 'timeout' });
    this.socket?.resume();
    return new Promise<StreamEvent>((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      this.waiter = { resolve, timer };
    });
  }

  private releaseReservations(): void {
    this.assembler.releaseUnclaimed();
    this.answered?.release();
    this.answered = null;
    for (const event of this.queue) if (event.kind === 'command') event.frame.reservation?.release();
  }

  /** What next() can answer without waiting, in order of precedence; null if nothing yet. */
  private readyEvent(): StreamEvent | null {
    const event = this.queue.shift();
    if (event) {
      if (event.kind === 'command' && event.frame.reservation) this.answered = event.frame.reservation;
      return event;
    }
    if (this.ended) return { kind: 'end' };
    if (this.signal.aborted) return { kind: 'shutdown' };
    if (this.poked) {
      this.poked = false;
      return { kind: 'poke' };
    }
    return null;
  }

  /** Wakes a pending `next()` with a `poke` event (IDLE uses it to send change notifications). */
  poke(): void {
    this.poked = true;
    this.notify();
  }

  /** Forget a poke that nobody waited for (outside IDLE changes are sent after each command). */
  clearPoke(): void {
    this.poked = false;
  }

  /**
   * Settles a waiting next() if there is now something to answer. Bytes that completed no command
   * leave it waiting, with the deadline it started with.
   */
  private notify(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    const event = this.readyEvent();
    if (!event) return;
    this.waiter = null;
    clearTimeout(waiter.timer);
    waiter.resolve(event);
  }
}
