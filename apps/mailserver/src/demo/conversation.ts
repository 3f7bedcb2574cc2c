/**
 * A line-based client conversation that prints both sides, for `minimail demo`: every line the
 * client sends is shown as `C: ...`, every line the server answers as `S: ...`. Passwords are masked
 * in what is printed (never in what is sent).
 */
import net from 'node:net';
import { LineReader } from '@minimail/protocol';

/** Longest reply line we are willing to wait for; the demo messages are small. */
const MAX_REPLY_LINE_BYTES = 1024 * 1024;
const REPLY_TIMEOUT_MS = 10_000;

export class Conversation {
  private readonly reader: LineReader;

  private constructor(
    private readonly socket: net.Socket,
    private readonly print: (line: string) => void,
  ) {
    this.reader = new LineReader(socket, { maxLineBytes: MAX_REPLY_LINE_BYTES });
  }

  static open(host: string, port: number, print: (line: string) => void): Promise<Conversation> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port }, () => resolve(new Conversation(socket, print)));
      socket.once('error', (err) =>
        reject(new Error(`cannot connect to ${host}:${port}: ${err.message}`, { cause: err })),
      );
    });
  }

  /** Sends one command line; `shown` replaces it in the printout (to mask a password). */
  send(line: string, shown: string = line): void {
    this.print(`C: ${shown}`);
    this.socket.write(`${line}\r\n`);
  }

  /** Reads one line from the server (without CRLF) and prints it. */
  async line(): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the server did not answer in time')), REPLY_TIMEOUT_MS);
    });
    try {
      const read = await Promise.race([this.reader.readLine(), timeout]);
      if (read === null) throw new Error('the server closed the connection');
      const line = read.toString('latin1');
      this.print(`S: ${line}`);
      return line;
    } finally {
      clearTimeout(timer);
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
