import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionClosedError } from './errors.js';
import { writePiecesWithBackpressure } from './socket-writer.js';

/** A loopback connection: `server` is the accepted side we write on, `client` the reader. */
async function socketPair(): Promise<{ server: net.Socket; client: net.Socket; close: () => void }> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const address = listener.address() as net.AddressInfo;
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = net.connect(address.port, '127.0.0.1');
  const server = await accepted;
  return {
    server,
    client,
    close: () => {
      server.destroy();
      client.destroy();
      listener.close();
    },
  };
}

function readAll(socket: net.Socket, octets: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  return new Promise((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= octets) resolve(Buffer.concat(chunks));
    });
  });
}

describe('writePiecesWithBackpressure', () => {
  let close: (() => void) | null = null;
  afterEach(() => {
    close?.();
    close = null;
  });

  it('sends the pieces in order, byte for byte', async () => {
    const pair = await socketPair();
    close = pair.close;
    const pieces = [Buffer.from('+OK 5 octets\r\n'), Buffer.from('hello'), Buffer.from('\r\n.\r\n')];
    const expected = Buffer.concat(pieces);
    const received = readAll(pair.client, expected.length);
    await writePiecesWithBackpressure(pair.server, pieces);
    expect((await received).equals(expected)).toBe(true);
  });

  it('waits for drain when the peer does not read, and resolves once it does', async () => {
    const pair = await socketPair();
    close = pair.close;
    pair.client.pause();
    // Far more than the socket buffers and the kernel's can hold while nobody reads.
    const big = Buffer.alloc(8 * 1024 * 1024, 0x61);
    let settled = false;
    const written = writePiecesWithBackpressure(pair.server, [Buffer.from('+OK\r\n'), big]).then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    const received = readAll(pair.client, big.length + 5);
    pair.client.resume();
    await written;
    expect((await received).length).toBe(big.length + 5);
  });

  it('rejects with ConnectionClosedError on a closed socket, and when it closes while waiting', async () => {
    const pair = await socketPair();
    close = pair.close;
    pair.client.pause();
    const waiting = writePiecesWithBackpressure(pair.server, [Buffer.alloc(8 * 1024 * 1024)]);
    pair.server.destroy();
    await expect(waiting).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(writePiecesWithBackpressure(pair.server, [Buffer.from('x')])).rejects.toBeInstanceOf(
      ConnectionClosedError,
    );
  });
});
