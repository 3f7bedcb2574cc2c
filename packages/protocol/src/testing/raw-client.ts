import net from 'node:net';
import tls from 'node:tls';
import { LineReader } from '../line-reader.js';

export interface RawClientOptions {
  /** Implicit TLS (993/995/465 style). Self-signed certificates are accepted. */
  tls?: boolean;
  /** An IP literal; defaults to 127.0.0.1 (tests never resolve names). */
  host?: string;
  /** Default timeout for reads, in ms. Defaults to 5000. */
  timeoutMs?: number;
}

/** Lines longer than this in a reply are a server bug worth seeing, not a test-client limit. */
const MAX_REPLY_LINE_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * A raw-socket client for exact protocol transcripts in tests: send lines, read lines, and
 * assert each reply byte for byte. Every sent and received line is kept in `log` so a failing
 * assertion can show the conversation.
 */
export class RawClient {
  /** The conversation so far, as "C: ..." and "S: ..." lines. */
  readonly log: string[] = [];
  private readonly reader: LineReader;
  private pendingRead: Promise<Buffer | null> | null = null;
  private readonly closedPromise: Promise<void>;
  private markClosed: () => void = () => {};

  private constructor(
    private socket: net.Socket | tls.TLSSocket,
    private readonly timeoutMs: number,
  ) {
    this.reader = new LineReader(socket, { maxLineBytes: MAX_REPLY_LINE_BYTES });
    this.closedPromise = new Promise((resolve) => (this.markClosed = resolve));
    this.watchClose(socket);
  }

  static async connect(port: number, options: RawClientOptions = {}): Promise<RawClient> {
    const host = options.host ?? '127.0.0.1';
    const socket = await new Promise<net.Socket | tls.TLSSocket>((resolve, reject) => {
      const connected = options.tls
        ? tls.connect({ host, port, rejectUnauthorized: false }, () => resolve(connected))
        : net.connect({ host, port }, () => resolve(connected));
      connected.once('error', reject);
    });
    return new RawClient(socket, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  /** Whether the connection is currently encrypted. */
  get secure(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  /** Send one line; CRLF is added. */
  send(line: string): void {
    this.log.push(`C: ${line}`);
    this.socket.write(`${line}\r\n`);
  }

  /** Send bytes exactly as given (pipelining, bare LF, literals, partial lines). */
  sendRaw(data: Buffer | string): void {
    this.log.push(`C(raw): ${JSON.stringify(data.toString())}`);
    this.socket.write(data);
  }

  /** The next line from the server, without CRLF. Throws on timeout or if the server closed. */
  async readLine(timeoutMs = this.timeoutMs): Promise<string> {
    this.pendingRead ??= this.reader.readLine();
    const read = this.pendingRead;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)),
    );
    try {
      const result = await Promise.race([read, timeout]);
      if (result === 'timeout') throw this.failure(`no line from the server within ${timeoutMs} ms`);
      // A timed-out read stays pending and is reused by the next call, so no line is lost.
      this.pendingRead = null;
      if (result === null) throw this.failure('the server closed the connection');
      const line = result.toString('utf8');
      this.log.push(`S: ${line}`);
      return line;
    } catch (error) {
      // The reader itself failed (socket error): that read is over.
      if (!(error instanceof RawClientError)) this.pendingRead = null;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Read lines until one matches; returns every line read, the matching one last. */
  async readUntil(
    match: RegExp | ((line: string) => boolean),
    timeoutMs = this.timeoutMs,
  ): Promise<string[]> {
    const test = typeof match === 'function' ? match : (line: string) => match.test(line);
    const lines: string[] = [];
    while (true) {
      const line = await this.readLine(timeoutMs);
      lines.push(line);
      if (test(line)) return lines;
    }
  }

  /** Read one line and assert it equals `expected` (or matches it); returns the line. */
  async expect(expected: string | RegExp, timeoutMs = this.timeoutMs): Promise<string> {
    const line = await this.readLine(timeoutMs);
    const ok = typeof expected === 'string' ? line === expected : expected.test(line);
    if (!ok)
      throw this.failure(
        `expected ${String(typeof expected === 'string' ? JSON.stringify(expected) : expected)}, got ${JSON.stringify(line)}`,
      );
    return line;
  }

  /**
   * Lines of a POP3/SMTP-style multi-line body up to the lone "." (not included), exactly as
   * sent: dot-stuffing is left in place so tests can assert it.
   */
  async readMultiline(timeoutMs = this.timeoutMs): Promise<string[]> {
    const lines = await this.readUntil((line) => line === '.', timeoutMs);
    return lines.slice(0, -1);
  }

  /**
   * An SMTP reply (RFC 5321 4.2.1): "250-..." continuation lines up to and including the final
   * "250 ..." line.
   */
  async readSmtpReply(timeoutMs = this.timeoutMs): Promise<string[]> {
    return this.readUntil(/^\d{3}(?: |$)/, timeoutMs);
  }

  /** IMAP untagged and continuation lines up to and including the tagged completion of `tag`. */
  async readTagged(tag: string, timeoutMs = this.timeoutMs): Promise<string[]> {
    return this.readUntil((line) => line.startsWith(`${tag} `), timeoutMs);
  }

  /**
   * Start TLS on this connection, after the test has sent STARTTLS/STLS and read the go-ahead.
   * Throws if the server sent anything after the go-ahead in plaintext.
   */
  async startTls(): Promise<void> {
    if (this.pendingRead) throw this.failure('startTls() with a read still pending');
    this.reader.detach();
    const leftover = this.reader.takeBuffered();
    if (leftover.length > 0)
      throw this.failure(`plaintext after the TLS go-ahead: ${JSON.stringify(leftover.toString())}`);
    const plain = this.socket as net.Socket;
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const upgraded = tls.connect({ socket: plain, rejectUnauthorized: false }, () => {
        upgraded.off('error', reject);
        resolve(upgraded);
      });
      upgraded.once('error', reject);
    });
    this.socket = secure;
    this.watchClose(secure);
    this.reader.attach(secure);
    this.log.push('-- TLS started');
  }

  /** Resolves when the connection has closed (e.g. to assert the server hung up). */
  closed(timeoutMs = this.timeoutMs): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(this.failure(`connection still open after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    return Promise.race([this.closedPromise, timeout]).finally(() => clearTimeout(timer));
  }

  /** Shut down our sending side (TCP half-close) and keep reading the server's replies. */
  end(): void {
    this.log.push('-- client half-closed');
    this.socket.end();
  }

  /** Close our side and wait until the socket is closed (destroying it if the server lingers). */
  async close(): Promise<void> {
    this.socket.end();
    const fallback = setTimeout(() => this.socket.destroy(), 1_000);
    await this.closedPromise;
    clearTimeout(fallback);
  }

  private watchClose(socket: net.Socket): void {
    socket.once('close', () => {
      // After STARTTLS the plain socket closes together with the TLS one; either means closed.
      if (socket === this.socket) this.markClosed();
    });
    // Errors reach the reader (and so the next readLine); this keeps them from being unhandled.
    socket.on('error', (error) => this.log.push(`-- socket error: ${error.message}`));
  }

  private failure(message: string): RawClientError {
    return new RawClientError(`${message}\nconversation:\n${this.log.join('\n')}`);
  }
}

export class RawClientError extends Error {
  override name = 'RawClientError';
}
