import net from 'node:net';
import tls from 'node:tls';

export interface SmtpReplyLines {
  code: number;
  /** Every line of the reply as received, without CRLF. */
  lines: string[];
  /** The last line, e.g. `250 2.0.0 Accepted`. */
  last: string;
}

/**
 * A tiny raw SMTP client for exact transcripts: send lines, read whole (multi-line) replies.
 * Tests assert the reply lines byte for byte, which a real client library would hide.
 */
export class RawSmtpClient {
  private buffer = '';
  private waiters: Array<() => void> = [];
  private ended = false;

  private constructor(private socket: net.Socket | tls.TLSSocket) {
    this.listen(socket);
  }

  static async connect(port: number, options: { tls?: boolean } = {}): Promise<RawSmtpClient> {
    const socket = options.tls
      ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : net.connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawSmtpClient(socket);
  }

  private listen(socket: net.Socket | tls.TLSSocket): void {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  sendRaw(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Reads one complete reply (RFC 5321 4.2.1: `xyz-` continues, `xyz ` ends). */
  async reply(timeoutMs = 5000): Promise<SmtpReplyLines> {
    const deadline = Date.now() + timeoutMs;
    const lines: string[] = [];
    for (;;) {
      const index = this.buffer.indexOf('\r\n');
      if (index >= 0) {
        const line = this.buffer.slice(0, index);
        this.buffer = this.buffer.slice(index + 2);
        lines.push(line);
        if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
          return { code: Number(line.slice(0, 3)), lines, last: line };
        }
        continue;
      }
      if (this.ended) throw new Error(`connection closed; partial reply: ${JSON.stringify(lines)}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timeout waiting for a reply; got ${JSON.stringify(lines)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a command and returns the last line of its reply. */
  async command(line: string): Promise<string> {
    this.send(line);
    return (await this.reply()).last;
  }

  /** Upgrades the connection after a `220` to STARTTLS (RFC 3207). */
  async startTls(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    const secure = tls.connect({ socket: plain, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.buffer = '';
    this.listen(secure);
  }

  /** Whether the server has closed the connection (after reading what it sent). */
  async closed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error('connection still open');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
