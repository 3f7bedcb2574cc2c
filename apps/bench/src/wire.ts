/**
 * A lean client socket for load generation: lines and exact byte counts off a TCP stream with no
 * per-line allocation beyond the line itself. The protocol clients (SMTP, POP3, IMAP) sit on it.
 * It stays deliberately simpler than the servers' readers: the bench talks to trusted servers.
 */
import net from 'node:net';

const LF = 0x0a;

export class WireClosedError extends Error {
  override name = 'WireClosedError';
}

export class Wire {
  private buffer: Buffer = Buffer.alloc(0);
  private offset = 0;
  private waiter: (() => void) | null = null;
  private closed = false;
  private failure: Error | null = null;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer =
        this.offset >= this.buffer.length ? chunk : Buffer.concat([this.buffer.subarray(this.offset), chunk]);
      this.offset = 0;
      this.wake();
    });
    socket.on('error', (error) => {
      this.failure = error;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Connects from `localAddress` (a 127.0.0.x spreads load over per-IP limits) to 127.0.0.1:port. */
  static connect(port: number, localAddress = '127.0.0.1'): Promise<Wire> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, localAddress, noDelay: true });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new Wire(socket));
      });
      socket.once('error', reject);
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next line without CRLF, as latin1 text (bytes stay bytes). */
  async line(): Promise<string> {
    for (;;) {
      const lf = this.buffer.indexOf(LF, this.offset);
      if (lf >= 0) {
        const end = lf > this.offset && this.buffer[lf - 1] === 0x0d ? lf - 1 : lf;
        const text = this.buffer.toString('latin1', this.offset, end);
        this.offset = lf + 1;
        return text;
      }
      await this.more();
    }
  }

  /** Exactly `count` bytes (an IMAP literal). */
  async bytes(count: number): Promise<Buffer> {
    while (this.buffer.length - this.offset < count) await this.more();
    const out = this.buffer.subarray(this.offset, this.offset + count);
    this.offset += count;
    return out;
  }

  /** Closes without waiting for the server (it was told QUIT/LOGOUT already, or need not be). */
  destroy(): void {
    this.socket.destroy();
  }

  private more(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new WireClosedError('connection closed by the server'));
    return new Promise((resolve) => (this.waiter = resolve));
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}

/**
 * Source address for the n-th concurrent connection: 127.<block>.0.1 for the first `perIp`, then
 * 127.<block>.0.2, ... .0.250, .1.1, ... (all of 127/8 is loopback). Spreading the load keeps
 * every server under its per-IP connection limit, as many real clients would.
 */
export function sourceAddress(index: number, perIp: number, block = 0): string {
  const n = Math.floor(index / perIp);
  return `127.${block % 250}.${Math.floor(n / 250)}.${1 + (n % 250)}`;
}
