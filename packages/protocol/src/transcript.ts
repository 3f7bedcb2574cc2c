import { LIMITS } from './limits.js';

const REDACTED = '***';

export interface TranscriptOptions {
  /** Lines kept; the oldest are dropped (and counted) beyond this. Defaults to LIMITS.transcriptMaxLines. */
  maxLines?: number;
  /** Characters kept of one line. Defaults to LIMITS.transcriptMaxLineChars. */
  maxLineChars?: number;
  /** Called with every recorded line (already redacted), e.g. to print a live demo. */
  onLine?: (line: string) => void;
  /** Called with every recorded entry (already redacted and clipped): who said it, and the text. */
  onEntry?: (entry: TranscriptEntry) => void;
}

/** One recorded line: `C` the client, `S` the server, `-` a note (elided body, TLS upgrade). */
export interface TranscriptEntry {
  dir: 'C' | 'S' | '-';
  text: string;
}

/**
 * Client commands that carry credentials. `redact`: the text after group 1 is replaced by `***`.
 * `exchange`: the command may continue with client lines answering server continuations
 * (SASL responses, LOGIN literals), which are hidden as a whole.
 */
const SECRET_COMMANDS: ReadonlyArray<{ pattern: RegExp; redact: boolean; exchange: boolean }> = [
  // SMTP AUTH (RFC 4954 4) and POP3 AUTH (RFC 5034 4): keep the mechanism, hide the initial response.
  { pattern: /^(AUTH\s+\S+)\s+\S/i, redact: true, exchange: true },
  { pattern: /^AUTH(?:\s+\S+)?\s*$/i, redact: false, exchange: true },
  // POP3 PASS (RFC 1939 7) and APOP (keep the name, hide the digest).
  { pattern: /^(PASS)\s/i, redact: true, exchange: false },
  { pattern: /^(APOP\s+\S+)\s/i, redact: true, exchange: false },
  // IMAP AUTHENTICATE (RFC 3501 6.2.2, SASL-IR RFC 4959) and LOGIN (RFC 3501 6.2.3), after the tag.
  { pattern: /^(\S+\s+AUTHENTICATE\s+\S+)\s+\S/i, redact: true, exchange: true },
  { pattern: /^\S+\s+AUTHENTICATE(?:\s+\S+)?\s*$/i, redact: false, exchange: true },
  { pattern: /^(\S+\s+LOGIN)\s/i, redact: true, exchange: true },
];

/** Server lines that ask the client for more: SMTP 334 (RFC 4954) and IMAP/POP3 "+" continuations. */
const CONTINUATION = /^(?:334(?:[ -]|$)|\+(?: |$))/;

/**
 * Records a protocol conversation as "C: ..." and "S: ..." lines for demos and debugging, with
 * credentials replaced by `***`: AUTH/AUTHENTICATE/LOGIN/PASS/APOP arguments, and every client
 * line sent in answer to a continuation during an authentication exchange (SASL responses,
 * LOGIN literals).
 */
export class Transcript {
  private readonly kept: string[] = [];
  private droppedLines = 0;
  private inAuthExchange = false;
  private readonly maxLines: number;
  private readonly maxLineChars: number;
  private readonly onLine: ((line: string) => void) | undefined;
  private readonly onEntry: ((entry: TranscriptEntry) => void) | undefined;

  constructor(options: TranscriptOptions = {}) {
    this.maxLines = options.maxLines ?? LIMITS.transcriptMaxLines;
    this.maxLineChars = options.maxLineChars ?? LIMITS.transcriptMaxLineChars;
    this.onLine = options.onLine;
    this.onEntry = options.onEntry;
  }

  /** Record a line the client sent (without or with its CRLF). */
  client(line: string | Buffer): void {
    const text = toText(line);
    if (this.inAuthExchange) {
      this.record('C', REDACTED);
      return;
    }
    for (const { pattern, redact, exchange } of SECRET_COMMANDS) {
      const match = pattern.exec(text);
      if (!match) continue;
      this.inAuthExchange = exchange;
      this.record('C', redact ? `${match[1] ?? ''} ${REDACTED}` : text);
      return;
    }
    this.record('C', text);
  }

  /** Record a line the server sent. */
  server(line: string | Buffer): void {
    const text = toText(line);
    // An exchange continues only while the server keeps asking; any other reply ends it.
    this.inAuthExchange = this.inAuthExchange && CONTINUATION.test(text);
    this.record('S', text);
  }

  /** Record a note that is not protocol text, e.g. "[message body, 1234 bytes]". */
  note(text: string): void {
    this.record('-', text);
  }

  /** Lines dropped because the transcript was full. */
  get dropped(): number {
    return this.droppedLines;
  }

  lines(): readonly string[] {
    return this.kept;
  }

  toString(): string {
    const head = this.droppedLines > 0 ? [`-- ${this.droppedLines} earlier lines dropped`] : [];
    return [...head, ...this.kept].join('\n');
  }

  private record(dir: TranscriptEntry['dir'], text: string): void {
    const line = `${dir === '-' ? '--' : `${dir}:`} ${text}`;
    const clipped =
      line.length > this.maxLineChars
        ? `${line.slice(0, this.maxLineChars)}... [${line.length} chars]`
        : line;
    if (this.onEntry) {
      const body =
        text.length > this.maxLineChars
          ? `${text.slice(0, this.maxLineChars)}... [${text.length} chars]`
          : text;
      this.onEntry({ dir, text: body });
    }
    this.kept.push(clipped);
    if (this.kept.length > this.maxLines) {
      this.kept.shift();
      this.droppedLines += 1;
    }
    this.onLine?.(clipped);
  }
}

function toText(line: string | Buffer): string {
  const text = typeof line === 'string' ? line : line.toString('utf8');
  return text.replace(/\r?\n$/, '');
}
