/**
 * Socket bytes -> command frames, one at a time, with backpressure: the socket is paused while
 * an assembled command waits to be handled, so a client pipelining faster than we answer is held
 * back by TCP and memory stays bounded (the assembler bounds each command, protocol/limits.ts).
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { CommandAssembler, type AssemblerEvent } from '../protocol/assembler.js';

export type StreamEvent =
  | AssemblerEvent
  | { kind: 'end' }
  | { kind: 'timeout' }
  | { kind: 'shutdown' }
  /** `poke()` was called: something else (a mailbox change during IDLE) wants attention. */
  | { kind: 'poke' };

export class CommandStream {
  private readonly assembler = new CommandAssembler();
  private readonly queue: AssemblerEvent[] = [];
  private socket: Socket | TLSSocket | null = null;
  private ended = false;
  private wake: (() => void) | null = null;
  private poked = false;

  private readonly onData = (chunk: Buffer): void => {
    this.queue.push(...this.assembler.push(chunk));
    // Nothing more is read until the session has taken what is queued.
    if (this.queue.length > 0) this.socket?.pause();
    this.notify();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.notify();
  };

  constructor(
    socket: Socket | TLSSocket,
    private readonly signal: AbortSignal,
  ) {
    this.attach(socket);
    signal.addEventListener('abort', () => this.notify(), { once: true });
  }

  attach(socket: Socket | TLSSocket): void {
    this.socket = socket;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
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
      socket.off('close', this.onEnd);
      socket.off('error', this.onEnd);
    }
    this.socket = null;
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
   */
  async next(timeoutMs: number): Promise<StreamEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.queue.shift();
      if (event) return event;
      if (this.ended) return { kind: 'end' };
      if (this.signal.aborted) return { kind: 'shutdown' };
      if (this.poked) {
        this.poked = false;
        return { kind: 'poke' };
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { kind: 'timeout' };
      this.socket?.resume();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
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

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
