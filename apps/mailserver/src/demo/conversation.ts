/**
 * A line-based client conversation that prints both sides, for `minimail demo`: every line the
 * client sends is shown as `C: ...`, every line the server answers as `S: ...`. Passwords are masked
 * in what is printed (never in what is sent).
 */
import net from 'node:net';

/** Bytes of one reply we are willing to wait for; the demo messages are small. */
const MAX_BUFFERED = 1024 * 1024;
const REPLY_TIMEOUT_MS = 10_000;

export class Conversation {
  private buffer = '';
  private waiter: (() => void) | null = null;
  private ended = false;

  private constructor(
    private readonly socket: net.Socket,
    private readonly print: (line: string) => void,
  ) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      if (this.buffer.length > MAX_BUFFERED) socket.destroy(new Error('reply too large for the demo'));
      this.waiter?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.waiter?.();
    });
    socket.on('error', () => undefined); // reported by the next read as a closed connection
  }

  static open(host: string, port: number, print: (line: string) => void): Promise<Conversation> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port }, () => resolve(new Conversation(socket, print)));
      socket.once('error', (err) => reject(new Error(`cannot connect to ${host}:${port}: ${err.message}`)));
    });
  }

  /** Sends one command line; `shown` replaces it in the printout (to mask a password). */
  send(line: string, shown: string = line): void {
    this.print(`C: ${shown}`);
    this.socket.write(`${line}\r\n`);
  }

  /** Reads one line from the server (without CRLF) and prints it. */
  async line(): Promise<string> {
    const deadline = Date.now() + REPLY_TIMEOUT_MS;
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end >= 0) {
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        this.print(`S: ${line}`);
        return line;
      }
      if (this.ended) throw new Error('the server closed the connection');
      if (Date.now() > deadline) throw new Error('the server did not answer in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, REPLY_TIMEOUT_MS);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = null;
          resolve();
        };
      });
    }
  }

  /** Reads lines until one satisfies `done`; returns them all. */
  async until(done: (line: string) => boolean): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line();
      lines.push(line);
      if (done(line)) return lines;
    }
  }

  close(): void {
    this.socket.end();
  }
}
