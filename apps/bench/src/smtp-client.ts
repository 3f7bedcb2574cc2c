/** A minimal SMTP client for load generation (RFC 5321): one transaction at a time, no pipelining. */
import { Wire } from './wire.js';

export class SmtpProtocolError extends Error {
  override name = 'SmtpProtocolError';
}

/** RFC 5321 4.2: reads a (possibly multi-line) reply and returns its code. */
async function reply(wire: Wire): Promise<number> {
  for (;;) {
    const line = await wire.line();
    if (line.length >= 4 && line[3] === '-') continue;
    return Number(line.slice(0, 3));
  }
}

async function expectCode(wire: Wire, code: number, what: string): Promise<void> {
  const got = await reply(wire);
  if (got !== code) throw new SmtpProtocolError(`${what}: expected ${code}, got ${got}`);
}

export class SmtpClient {
  private constructor(private readonly wire: Wire) {}

  static async open(port: number, localAddress: string): Promise<SmtpClient> {
    const wire = await Wire.connect(port, localAddress);
    await expectCode(wire, 220, 'greeting');
    wire.write('EHLO bench.client\r\n');
    await expectCode(wire, 250, 'EHLO');
    return new SmtpClient(wire);
  }

  /** One transaction; resolves when the server said 250 to the end of DATA (the message is accepted). */
  async send(from: string, to: string, dotStuffedBody: Buffer): Promise<void> {
    this.wire.write(`MAIL FROM:<${from}>\r\n`);
    await expectCode(this.wire, 250, 'MAIL');
    this.wire.write(`RCPT TO:<${to}>\r\n`);
    await expectCode(this.wire, 250, 'RCPT');
    this.wire.write('DATA\r\n');
    await expectCode(this.wire, 354, 'DATA');
    this.wire.write(dotStuffedBody);
    this.wire.write('.\r\n');
    await expectCode(this.wire, 250, 'end of DATA');
  }

  quit(): void {
    this.wire.write('QUIT\r\n');
    this.wire.socket.end();
  }

  destroy(): void {
    this.wire.destroy();
  }
}
