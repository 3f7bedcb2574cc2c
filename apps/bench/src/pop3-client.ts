/** A minimal POP3 client for load generation (RFC 1939): USER/PASS, STAT, UIDL, RETR, QUIT. */
import { Wire } from './wire.js';

export class Pop3Error extends Error {
  override name = 'Pop3Error';
}

export class Pop3Client {
  private constructor(private readonly wire: Wire) {}

  static async open(port: number, localAddress = '127.0.0.1'): Promise<Pop3Client> {
    const wire = await Wire.connect(port, localAddress);
    const client = new Pop3Client(wire);
    await client.status('greeting');
    return client;
  }

  async login(user: string, password: string): Promise<void> {
    this.wire.write(`USER ${user}\r\n`);
    await this.status('USER');
    this.wire.write(`PASS ${password}\r\n`);
    await this.status('PASS');
  }

  /** STAT: number of messages and total size. */
  async stat(): Promise<{ count: number; size: number }> {
    this.wire.write('STAT\r\n');
    const [count, size] = (await this.status('STAT')).split(' ').map(Number);
    return { count: count ?? 0, size: size ?? 0 };
  }

  /** A multi-line command; returns the octets received (dot-stuffed, CRLF counted). */
  async multiline(command: string): Promise<number> {
    this.wire.write(`${command}\r\n`);
    await this.status(command);
    let octets = 0;
    for (;;) {
      const line = await this.wire.line();
      if (line === '.') return octets;
      octets += line.length + 2;
    }
  }

  async quit(): Promise<void> {
    this.wire.write('QUIT\r\n');
    await this.status('QUIT');
    this.wire.destroy();
  }

  private async status(what: string): Promise<string> {
    const line = await this.wire.line();
    if (!line.startsWith('+OK')) throw new Pop3Error(`${what}: ${line}`);
    return line.slice(4);
  }
}
