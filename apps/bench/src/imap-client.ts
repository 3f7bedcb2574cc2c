/**
 * A minimal IMAP client for load generation (RFC 3501): tagged commands, responses read up to the
 * tagged completion, literals in responses skipped by their byte count so bodies never confuse it.
 */
import { Wire } from './wire.js';

export class ImapCommandError extends Error {
  override name = 'ImapCommandError';
}

const LITERAL_AT_END = /\{(\d+)\}$/;

export interface ImapReply {
  /** Untagged and continuation lines (literal bytes not included). */
  untagged: string[];
  /** Bytes of literals received. */
  literalBytes: number;
}

export class ImapClient {
  private tagCounter = 0;

  private constructor(private readonly wire: Wire) {}

  static async open(port: number, localAddress: string): Promise<ImapClient> {
    const wire = await Wire.connect(port, localAddress);
    const greeting = await wire.line();
    if (!greeting.startsWith('* OK')) throw new ImapCommandError(`greeting: ${greeting}`);
    return new ImapClient(wire);
  }

  /** Sends one command and reads through its tagged OK; NO/BAD throws. */
  async command(text: string, keepLines = false): Promise<ImapReply> {
    const tag = `b${++this.tagCounter}`;
    this.wire.write(`${tag} ${text}\r\n`);
    return this.readUntilTagged(tag, keepLines);
  }

  /** APPEND with a synchronizing literal (RFC 3501 6.3.11): waits for `+` before the message. */
  async append(mailbox: string, message: Buffer, flags = ''): Promise<ImapReply> {
    const tag = `b${++this.tagCounter}`;
    this.wire.write(`${tag} APPEND ${mailbox}${flags ? ` (${flags})` : ''} {${message.length}}\r\n`);
    const go = await this.wire.line();
    if (!go.startsWith('+')) throw new ImapCommandError(`APPEND: ${go}`);
    this.wire.write(message);
    this.wire.write('\r\n');
    return this.readUntilTagged(tag, true);
  }

  /** RFC 2177: enters IDLE and returns once the server says `+ idling`. */
  async idle(): Promise<void> {
    const tag = `b${++this.tagCounter}`;
    this.wire.write(`${tag} IDLE\r\n`);
    for (;;) {
      const line = await this.wire.line();
      if (line.startsWith('+')) return;
      if (line.startsWith(`${tag} `)) throw new ImapCommandError(`IDLE: ${line}`);
    }
  }

  logout(): void {
    this.wire.write(`b${++this.tagCounter} LOGOUT\r\n`);
    this.wire.socket.end();
  }

  destroy(): void {
    this.wire.destroy();
  }

  private async readUntilTagged(tag: string, keepLines: boolean): Promise<ImapReply> {
    const untagged: string[] = [];
    let literalBytes = 0;
    for (;;) {
      let line = await this.wire.line();
      // A line ending in {n} continues after n literal bytes (RFC 3501 4.3).
      for (let match = LITERAL_AT_END.exec(line); match; match = LITERAL_AT_END.exec(line)) {
        const size = Number(match[1]);
        await this.wire.bytes(size);
        literalBytes += size;
        line = `${line.slice(0, match.index)}<literal>${await this.wire.line()}`;
      }
      if (line.startsWith(`${tag} `)) {
        if (!line.startsWith(`${tag} OK`)) throw new ImapCommandError(line);
        return { untagged, literalBytes };
      }
      if (keepLines) untagged.push(line);
    }
  }
}
