import type { MemoryReservation, SpoolWriter } from '@minimail/protocol';

/**
 * An APPEND message literal too large to hold in memory, written to a spool file as it arrived
 * (docs/adr/0027). `length` is its declared (and received) size. The frame's `reservation`
 * discards the file once the command is answered or the connection is gone.
 */
export interface SpooledLiteral {
  readonly kind: 'spooled';
  readonly length: number;
  readonly writer: SpoolWriter;
}

/** A literal's bytes: in memory, or (a large APPEND message) in a spool file. */
export type Literal = Buffer | SpooledLiteral;

export function isSpooled(literal: Literal): literal is SpooledLiteral {
  return !Buffer.isBuffer(literal);
}

/**
 * One complete client command as it came off the wire: text segments with the literals that
 * followed them. `segments[i]` ends with the `{n}` / `{n+}` marker of `literals[i]`; the last
 * segment has no literal after it, so `segments.length === literals.length + 1`.
 */
export interface CommandFrame {
  readonly segments: readonly string[];
  readonly literals: readonly Literal[];
  /**
   * An APPEND message literal's share of the process's message memory budget, or its spool file:
   * released (the file removed) by the command stream once the command has been answered (or the
   * connection is gone).
   */
  readonly reservation?: MemoryReservation;
}

/** A frame for one line without literals (tests, IDLE `DONE`, SASL responses). */
export function lineFrame(line: string): CommandFrame {
  return { segments: [line], literals: [] };
}

/** Commands whose arguments are credentials (STYLE.md: credentials redacted in logs). */
const CREDENTIAL_COMMANDS: ReadonlySet<string> = new Set(['LOGIN', 'AUTHENTICATE']);

/**
 * The frame as loggable text: literals replaced by their size so that APPEND bodies do not land
 * in logs, and the arguments of LOGIN/AUTHENTICATE replaced by `<redacted>`. (SASL response lines
 * sent after `+` are not commands; the session must not log them.)
 */
export function describeFrame(frame: CommandFrame): string {
  const [tag, name] = (frame.segments[0] ?? '').split(' ', 2);
  if (name !== undefined && CREDENTIAL_COMMANDS.has(name.toUpperCase())) return `${tag} ${name} <redacted>`;
  let out = '';
  frame.segments.forEach((segment, index) => {
    out += segment;
    const literal = frame.literals[index];
    if (literal !== undefined) out += `<${literal.length} octets>`;
  });
  return out;
}

/** RFC 2177 3: the client ends IDLE with the line `DONE` (no tag, case-insensitive). */
export function isIdleDone(frame: CommandFrame): boolean {
  return frame.literals.length === 0 && frame.segments[0]?.toUpperCase() === 'DONE';
}
