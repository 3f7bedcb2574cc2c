import { RawClient } from '@minimail/protocol/testing';

export interface SmtpReplyLines {
  code: number;
  /** Every line of the reply as received, without CRLF. */
  lines: string[];
  /** The last line, e.g. `250 2.0.0 Accepted`. */
  last: string;
}

/**
 * The shared RawClient from @minimail/protocol/testing, with SMTP's reply shape on top: tests
 * read whole (multi-line) replies and assert them byte for byte, which a client library would hide.
 */
export class RawSmtpClient {
  private constructor(private readonly raw: RawClient) {}

  static async connect(port: number, options: { tls?: boolean } = {}): Promise<RawSmtpClient> {
    return new RawSmtpClient(await RawClient.connect(port, options));
  }

  send(line: string): void {
    this.raw.send(line);
  }

  sendRaw(data: string | Buffer): void {
    this.raw.sendRaw(data);
  }

  /** Reads one complete reply (RFC 5321 4.2.1: `xyz-` continues, `xyz ` ends). */
  async reply(timeoutMs?: number): Promise<SmtpReplyLines> {
    const lines = await this.raw.readSmtpReply(timeoutMs);
    const last = lines[lines.length - 1] ?? '';
    return { code: Number(last.slice(0, 3)), lines, last };
  }

  /** Sends a command and returns the last line of its reply. */
  async command(line: string): Promise<string> {
    this.send(line);
    return (await this.reply()).last;
  }

  /** Upgrades the connection after a `220` to STARTTLS (RFC 3207). */
  startTls(): Promise<void> {
    return this.raw.startTls();
  }

  /** Resolves once the server has closed the connection. */
  closed(timeoutMs?: number): Promise<void> {
    return this.raw.closed(timeoutMs);
  }

  close(): Promise<void> {
    return this.raw.close();
  }
}
