/**
 * Incremental command reader: bytes in, complete command frames out. It understands literals
 * (RFC 3501 4.3 synchronizing `{n}`, RFC 7888 non-synchronizing `{n+}`), bounds every buffer by
 * limits.ts, and after a bad line resynchronizes at the next line so the server keeps serving.
 */
import type { MemoryReservation, SpoolWriter } from '@minimail/protocol';
import { ImapWireError } from './errors.js';
import type { CommandFrame, Literal } from './frame.js';
import {
  DISCARD_TAIL_LENGTH,
  MAX_APPEND_SIZE,
  MAX_COMMAND_SIZE,
  MAX_LINE_LENGTH,
  MAX_LITERAL_SIZE,
  MAX_LITERAL_SIZE_DIGITS,
} from './limits.js';
import { isValidTag } from './syntax.js';

export type AssemblerEvent =
  /** A whole command (or IDLE `DONE` / SASL response line) is ready to parse. */
  | { kind: 'command'; frame: CommandFrame }
  /** RFC 3501 7.5: a synchronizing literal was accepted; send `+ Ready for literal data`. */
  | { kind: 'continue' }
  /** The command was rejected while reading; answer it, and close if `error.closeConnection`. */
  | { kind: 'error'; error: ImapWireError };

export interface CommandAssemblerOptions {
  maxLineLength?: number;
  /** Literal limit for every command except APPEND. */
  maxLiteralSize?: number;
  /** Literal limit for APPEND (the server's advertised APPENDLIMIT, if any). */
  maxAppendSize?: number;
  /** Text plus literals of one non-APPEND command. */
  maxCommandSize?: number;
  /**
   * Asked before an APPEND literal is read into memory (the process's message budget); null
   * refuses it with `NO [LIMIT]`. Absent: no budget.
   */
  reserveAppend?: (size: number) => MemoryReservation | null;
  /**
   * Asked first for an APPEND literal of this size: a spool writer when the message should go to
   * a file instead of memory (docs/adr/0027), or null to read it into memory (under the budget).
   */
  spoolAppend?: (size: number) => SpoolWriter | null;
  /**
   * RFC 7888 4 LITERAL-: the largest non-synchronizing literal accepted (4096 when only LITERAL-
   * is advertised); a bigger one is answered BAD [TOOBIG]. Absent: LITERAL+, no bound of its own.
   */
  maxNonSyncLiteralSize?: number;
}

type Mode =
  | { kind: 'line' }
  /** `buffer` is allocated when the first literal byte arrives, so a declared-but-unsent literal costs nothing. */
  | { kind: 'literal'; size: number; filled: number; buffer: Buffer | null }
  /** A large APPEND literal streamed to its spool file as it arrives. */
  | { kind: 'spool'; size: number; filled: number; writer: SpoolWriter }
  /** Dropping an over-long line up to its LF; head and tail are kept to answer it well. */
  | { kind: 'discard'; head: Buffer; tail: Buffer }
  /** The stream cannot be resynchronized (RFC 7888 4); everything further is ignored. */
  | { kind: 'failed' };

/** What was found at the end of a line: `{n}`/`{n+}`, nothing, or something malformed. */
type LiteralMarker =
  | { kind: 'none' }
  | { kind: 'literal'; size: number; synchronizing: boolean }
  | { kind: 'malformed'; nonSynchronizing: boolean };

const LF = 0x0a;
const CR = 0x0d;
const TAG_HEAD_LENGTH = 64;

export class CommandAssembler {
  private readonly maxLineLength: number;
  private readonly maxLiteralSize: number;
  private readonly maxAppendSize: number;
  private readonly maxCommandSize: number;
  private readonly maxNonSyncLiteralSize: number;

  private mode: Mode = { kind: 'line' };
  private lineChunks: Buffer[] = [];
  private lineLength = 0;
  /** Segments and literals of the command being assembled. */
  private segments: string[] = [];
  private literals: Literal[] = [];
  private commandSize = 0;
  /** Budget held for the current command's APPEND literal, handed on with its frame. */
  private reservation: MemoryReservation | null = null;
  private readonly reserveAppend: ((size: number) => MemoryReservation | null) | null;
  private readonly spoolAppend: ((size: number) => SpoolWriter | null) | null;
  /** Set when a spool file asked the producer to wait: the caller pauses its socket until it settles. */
  private backpressure: Promise<void> | null = null;

  constructor(options: CommandAssemblerOptions = {}) {
    this.maxLineLength = options.maxLineLength ?? MAX_LINE_LENGTH;
    this.maxLiteralSize = options.maxLiteralSize ?? MAX_LITERAL_SIZE;
    this.maxAppendSize = options.maxAppendSize ?? MAX_APPEND_SIZE;
    this.maxCommandSize = options.maxCommandSize ?? MAX_COMMAND_SIZE;
    this.reserveAppend = options.reserveAppend ?? null;
    this.maxNonSyncLiteralSize = options.maxNonSyncLiteralSize ?? Number.POSITIVE_INFINITY;
    this.spoolAppend = options.spoolAppend ?? null;
  }

  /** A spool file is behind: wait for this before feeding more (null: go on). Cleared once taken. */
  takeBackpressure(): Promise<void> | null {
    const wait = this.backpressure;
    this.backpressure = null;
    return wait;
  }

  /** Feed received bytes; returns what became complete, in order. */
  push(chunk: Buffer): AssemblerEvent[] {
    const events: AssemblerEvent[] = [];
    let offset = 0;
    while (offset < chunk.length && this.mode.kind !== 'failed') {
      offset =
        this.mode.kind === 'literal'
          ? this.readLiteral(chunk, offset)
          : this.mode.kind === 'spool'
            ? this.readSpooledLiteral(chunk, offset)
            : this.readLine(chunk, offset, events);
    }
    return events;
  }

  /**
   * Forget everything buffered. The session calls this after STARTTLS so that plaintext pipelined
   * behind the command is never executed inside TLS (RFC 3207 / RFC 2595 command injection).
   */
  reset(): void {
    if (this.mode.kind !== 'failed') this.mode = { kind: 'line' };
    this.lineChunks = [];
    this.lineLength = 0;
    this.resetCommand();
  }

  /** True when the reader gave up on the stream and the connection must close. */
  get failed(): boolean {
    return this.mode.kind === 'failed';
  }

  /** Gives back a reservation whose command never became a frame (refused, reset, connection gone). */
  releaseUnclaimed(): void {
    this.reservation?.release();
    this.reservation = null;
  }

  private resetCommand(): void {
    this.releaseUnclaimed();
    this.segments = [];
    this.literals = [];
    this.commandSize = 0;
  }

  private readLiteral(chunk: Buffer, offset: number): number {
    const mode = this.mode;
    if (mode.kind !== 'literal') return offset;
    const take = Math.min(mode.size - mode.filled, chunk.length - offset);
    // Copy into one buffer of the final size: no socket chunks pinned, no second copy at the end
    // (an APPEND of 64 MiB peaks at 64 MiB, not twice that).
    mode.buffer ??= Buffer.allocUnsafe(mode.size);
    chunk.copy(mode.buffer, mode.filled, offset, offset + take);
    mode.filled += take;
    if (mode.filled === mode.size) this.finishLiteral(mode.buffer);
    return offset + take;
  }

  private readSpooledLiteral(chunk: Buffer, offset: number): number {
    const mode = this.mode;
    if (mode.kind !== 'spool') return offset;
    const take = Math.min(mode.size - mode.filled, chunk.length - offset);
    if (!mode.writer.write(chunk.subarray(offset, offset + take))) this.backpressure = mode.writer.drained();
    mode.filled += take;
    if (mode.filled === mode.size)
      this.finishLiteral({ kind: 'spooled', length: mode.size, writer: mode.writer });
    return offset + take;
  }

  private finishLiteral(literal: Literal): void {
    this.literals.push(literal);
    this.mode = { kind: 'line' };
  }

  private readLine(chunk: Buffer, offset: number, events: AssemblerEvent[]): number {
    const lf = chunk.indexOf(LF, offset);
    const end = lf === -1 ? chunk.length : lf;
    const piece = chunk.subarray(offset, end);

    if (this.mode.kind === 'discard') {
      this.mode.tail = lastBytes(
        Buffer.concat([this.mode.tail, lastBytes(piece, DISCARD_TAIL_LENGTH)]),
        DISCARD_TAIL_LENGTH,
      );
    } else if (this.lineLength + piece.length > this.maxLineLength + 1) {
      // +1: a CR before the LF does not count against the limit.
      const line = Buffer.concat([...this.lineChunks, piece]);
      this.mode = {
        kind: 'discard',
        // Copies, so the dropped line's memory is released at once.
        head: Buffer.from(line.subarray(0, TAG_HEAD_LENGTH)),
        tail: Buffer.from(lastBytes(line, DISCARD_TAIL_LENGTH)),
      };
      this.lineChunks = [];
      this.lineLength = 0;
    } else {
      this.lineChunks.push(piece);
      this.lineLength += piece.length;
    }

    if (lf === -1) return chunk.length;
    if (this.mode.kind === 'discard') {
      this.finishDiscardedLine(this.mode.head, this.mode.tail, events);
    } else {
      const line = stripCr(Buffer.concat(this.lineChunks));
      this.lineChunks = [];
      this.lineLength = 0;
      // The +1 allowance above was for a CR; without one the line may still be one byte over.
      if (line.length > this.maxLineLength) {
        this.finishDiscardedLine(
          line.subarray(0, TAG_HEAD_LENGTH),
          lastBytes(line, DISCARD_TAIL_LENGTH),
          events,
        );
      } else {
        this.finishLine(line, events);
      }
    }
    return lf + 1;
  }

  private finishDiscardedLine(head: Buffer, tail: Buffer, events: AssemblerEvent[]): void {
    const marker = findLiteralMarker(stripCr(tail).toString('latin1'));
    const closeConnection =
      (marker.kind === 'literal' && !marker.synchronizing) ||
      (marker.kind === 'malformed' && marker.nonSynchronizing);
    const tag = this.segments[0] !== undefined ? tagOf(this.segments[0]) : tagOf(head.toString('latin1'));
    this.resetCommand();
    this.mode = closeConnection ? { kind: 'failed' } : { kind: 'line' };
    // A synchronizing literal at the end of the dropped line is never answered with `+`, so the
    // client does not send it and the next line is a new command.
    events.push({
      kind: 'error',
      error: new ImapWireError('LINE_TOO_LONG', 'Command line too long', { tag, closeConnection }),
    });
  }

  private finishLine(line: Buffer, events: AssemblerEvent[]): void {
    const text = line.toString('utf8');
    const isFirstSegment = this.segments.length === 0;
    if (isFirstSegment && text.length === 0) return; // RFC 3501 leaves empty lines undefined; ignore them.
    this.segments.push(text);
    this.commandSize += line.length;

    const marker = findLiteralMarker(text);
    if (marker.kind === 'none') {
      this.emitCommand(events);
      return;
    }
    const tag = tagOf(this.segments[0] ?? '');
    if (marker.kind === 'malformed') {
      this.fail(
        events,
        new ImapWireError('BAD_LITERAL', 'Invalid literal size', {
          tag,
          closeConnection: marker.nonSynchronizing,
        }),
      );
      return;
    }
    const isAppend = commandNameOf(this.segments[0] ?? '') === 'APPEND';
    if (!marker.synchronizing && marker.size > this.maxNonSyncLiteralSize) {
      // RFC 7888 4 (LITERAL-): a bigger non-synchronizing literal is BAD [TOOBIG]; its octets are
      // already on their way, so the stream cannot be resynchronized and the connection closes.
      this.fail(
        events,
        new ImapWireError('LITERAL_TOO_BIG', 'Non-synchronizing literal above 4096 octets', {
          tag,
          status: 'BAD',
          responseCode: 'TOOBIG',
          closeConnection: true,
        }),
      );
      return;
    }
    if (this.exceedsLimit(marker.size, isAppend)) {
      // RFC 7888 4: a too-big non-synchronizing literal is already on its way; the stream
      // cannot be resynchronized, so the connection must be closed after the reply.
      this.fail(
        events,
        new ImapWireError('LITERAL_TOO_BIG', 'Literal too big', {
          tag,
          status: isAppend ? 'NO' : 'BAD',
          responseCode: 'TOOBIG',
          closeConnection: !marker.synchronizing,
        }),
      );
      return;
    }
    const spool =
      isAppend && marker.size > 0 && this.spoolAppend !== null ? this.spoolAppend(marker.size) : null;
    if (spool !== null) {
      // The file is the message's only memory cost; its reservation removes the file when the
      // command is done (answered, refused, reset, or the connection gone). RFC 3502 MULTIAPPEND:
      // held with the command's other messages until the last has arrived.
      const reservation = spoolReservation(spool);
      this.reservation = this.reservation === null ? reservation : combine(this.reservation, reservation);
      this.commandSize += marker.size;
      if (marker.synchronizing) events.push({ kind: 'continue' });
      this.mode = { kind: 'spool', size: marker.size, filled: 0, writer: spool };
      return;
    }
    if (isAppend && marker.size > 0 && this.reserveAppend !== null) {
      const reservation = this.reserveAppend(marker.size);
      if (reservation === null) {
        // RFC 9051 7.1 LIMIT: a temporary, server-wide limit. A synchronizing literal was never
        // invited, so the stream stays in step; a non-synchronizing one is already on its way and
        // cannot be skipped reliably (RFC 7888 4), so that connection is closed after the reply.
        this.fail(
          events,
          new ImapWireError('OVER_BUDGET', 'Too many messages being received, try again later', {
            tag,
            status: 'NO',
            responseCode: 'LIMIT',
            closeConnection: !marker.synchronizing,
          }),
        );
        return;
      }
      // RFC 3502 MULTIAPPEND: every message of the command is held until the last has arrived.
      this.reservation = this.reservation === null ? reservation : combine(this.reservation, reservation);
    }
    this.commandSize += marker.size;
    if (marker.synchronizing) events.push({ kind: 'continue' });
    if (marker.size === 0) this.finishLiteral(Buffer.alloc(0));
    else this.mode = { kind: 'literal', size: marker.size, filled: 0, buffer: null };
  }

  private exceedsLimit(size: number, isAppend: boolean): boolean {
    if (isAppend)
      return size > this.maxAppendSize || this.commandSize + size > this.maxAppendSize + this.maxCommandSize;
    return size > this.maxLiteralSize || this.commandSize + size > this.maxCommandSize;
  }

  private emitCommand(events: AssemblerEvent[]): void {
    const frame: CommandFrame =
      this.reservation === null
        ? { segments: this.segments, literals: this.literals }
        : { segments: this.segments, literals: this.literals, reservation: this.reservation };
    // The frame owns the reservation now; resetCommand must not release it.
    this.reservation = null;
    events.push({ kind: 'command', frame });
    this.resetCommand();
  }

  private fail(events: AssemblerEvent[], error: ImapWireError): void {
    this.resetCommand();
    if (error.closeConnection) this.mode = { kind: 'failed' };
    events.push({ kind: 'error', error });
  }
}

/** A spool file in the shape of a budget reservation: releasing it removes the file. */
function spoolReservation(writer: SpoolWriter): MemoryReservation {
  return {
    bytes: 0,
    grow: () => false,
    release: () => writer.discard(),
  };
}

/** Two reservations held and released as one (the messages of one MULTIAPPEND). */
function combine(first: MemoryReservation, second: MemoryReservation): MemoryReservation {
  return {
    get bytes() {
      return first.bytes + second.bytes;
    },
    grow: (more) => second.grow(more),
    release: () => {
      first.release();
      second.release();
    },
  };
}

/** RFC 3501 9 / RFC 7888 3: literal = "{" number ["+"] "}" CRLF, at the very end of the line. */
export function findLiteralMarker(line: string): LiteralMarker {
  if (!line.endsWith('}')) return { kind: 'none' };
  const open = line.lastIndexOf('{');
  if (open === -1) return { kind: 'none' };
  const inner = line.slice(open + 1, -1);
  // Text with spaces or quotes between the braces is not an attempt at a literal (e.g. a quoted
  // string that happens to contain "{"); the parser will judge it.
  if (/[\s"]/.test(inner)) return { kind: 'none' };
  const match = /^(\d+)(\+?)$/.exec(inner);
  const nonSynchronizing = inner.endsWith('+');
  if (!match || match[1] === undefined) return { kind: 'malformed', nonSynchronizing };
  const digits = match[1];
  const size = digits.length > MAX_LITERAL_SIZE_DIGITS ? Number.MAX_SAFE_INTEGER : Number(digits);
  return { kind: 'literal', size, synchronizing: match[2] !== '+' };
}

function tagOf(line: string): string | null {
  const space = line.indexOf(' ');
  const tag = space === -1 ? line : line.slice(0, space);
  return isValidTag(tag) ? tag : null;
}

function commandNameOf(line: string): string {
  return (line.split(' ', 2)[1] ?? '').toUpperCase();
}

function stripCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, -1) : line;
}

function lastBytes(buffer: Buffer, count: number): Buffer {
  return buffer.length <= count ? buffer : buffer.subarray(buffer.length - count);
}
