/**
 * A raw IMAP client for exact byte transcripts: what the server sends is kept as bytes (literals,
 * literal8 `~{n}` data with NUL and CRLF inside, all of it), and a reply is read up to its tagged
 * line by following the literal markers, so a literal's contents are never taken for a line.
 * `compress()` switches both directions to raw DEFLATE (RFC 4978) as a client would.
 */
import net from 'node:net';
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';

const DEFAULT_TIMEOUT_MS = 10_000;

export class ByteClient {
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private closed = false;
  private deflate: DeflateRaw | null = null;
  private inflate: InflateRaw | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => {
      const done = () => {
        this.closed = true;
        this.wake();
      };
      // Compressed: the last octets may still be in the inflater (zlib works off the thread
      // pool); the connection counts as closed only once they have been read.
      if (this.inflate && !this.inflate.destroyed) {
        this.inflate.once('error', done);
        this.inflate.flush(done);
      } else done();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<ByteClient> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
      s.once('error', reject);
    });
    return new ByteClient(socket);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Sends bytes as given (the caller writes CRLF and literals). */
  send(data: string | Buffer): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    if (this.deflate === null) {
      this.socket.write(bytes);
      return;
    }
    this.deflate.write(bytes);
    this.deflate.flush(constants.Z_SYNC_FLUSH);
  }

  /** Sends already compressed bytes on a compressed connection (hostile tests). */
  sendRawSocket(data: Buffer): void {
    this.socket.write(data);
  }

  /** The first line (the greeting), without its CRLF. */
  async greeting(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const end = await this.waitFor(() => {
      const lf = this.buffer.indexOf('\r\n');
      return lf === -1 ? null : lf + 2;
    }, timeoutMs);
    return this.take(end).toString('latin1').slice(0, -2);
  }

  /** Everything up to and including the tagged line of `tag`, as bytes. */
  async reply(tag: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Buffer> {
    const end = await this.waitFor(() => this.scanToTagged(tag), timeoutMs);
    return this.take(end);
  }

  /** `reply` as latin1 text (every octet one character), for exact comparisons. */
  async text(tag: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    return (await this.reply(tag, timeoutMs)).toString('latin1');
  }

  /** Resolves when the server has closed the connection. */
  async closedByServer(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.waitFor(() => (this.closed ? 0 : null), timeoutMs);
  }

  /** What arrived and was not taken by a reply yet. */
  pending(): Buffer {
    return this.buffer;
  }

  /** RFC 4978: from now on both directions are raw DEFLATE streams. */
  compress(): void {
    const inflate = createInflateRaw();
    this.inflate = inflate;
    inflate.on('error', () => undefined);
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    this.socket.removeAllListeners('data');
    this.socket.on('data', (chunk: Buffer) => inflate.write(chunk));
    inflate.on('data', (chunk: Buffer) => this.receive(chunk));
    if (rest.length > 0) inflate.write(rest);
    this.deflate = createDeflateRaw();
    this.deflate.on('data', (chunk: Buffer) => this.socket.write(chunk));
  }

  close(): void {
    this.socket.destroy();
  }

  private take(end: number): Buffer {
    const out = this.buffer.subarray(0, end);
    this.buffer = this.buffer.subarray(end);
    return Buffer.from(out);
  }

  /** Offset just past the tagged line of `tag`, following `{n}` / `~{n}` literals; null if not yet. */
  private scanToTagged(tag: string): number | null {
    let pos = 0;
    const prefix = Buffer.from(`${tag} `, 'latin1');
    while (pos < this.buffer.length) {
      const lf = this.buffer.indexOf('\r\n', pos);
      if (lf === -1) return null;
      const line = this.buffer.subarray(pos, lf);
      if (line.subarray(0, prefix.length).equals(prefix)) return lf + 2;
      const marker = /\{(\d+)\+?\}$/.exec(line.toString('latin1'));
      pos = lf + 2 + (marker ? Number(marker[1]) : 0);
      if (marker && pos > this.buffer.length) return null;
    }
    return null;
  }

  private async waitFor<T>(check: () => T | null, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = check();
      if (result !== null) return result;
      if (this.closed)
        throw new Error(`connection closed; unread: ${JSON.stringify(this.buffer.toString('latin1'))}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out; unread: ${JSON.stringify(this.buffer.toString('latin1').slice(-500))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** A logged-in ByteClient on a harness port (any password works in the dev profile). */
export async function byteLogin(port: number, user = 'alice@example.com'): Promise<ByteClient> {
  const client = await ByteClient.connect(port);
  await client.greeting();
  client.send(`L1 LOGIN ${user} secret\r\n`);
  await client.reply('L1');
  return client;
}
