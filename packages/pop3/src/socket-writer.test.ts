import net from 'node:net';
import { socketPair, type SocketPair } from '@minimail/protocol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionClosedError } from './errors.js';
import { writePiecesWithBackpressure } from './socket-writer.js';

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
  let pair: SocketPair | null = null;
  afterEach(async () => {
    await pair?.close();
    pair = null;
  });

  it('sends the pieces in order, byte for byte', async () => {
    pair = await socketPair();
    const pieces = [Buffer.from('+OK 5 octets\r\n'), Buffer.from('hello'), Buffer.from('\r\n.\r\n')];
    const expected = Buffer.concat(pieces);
    const received = readAll(pair.client, expected.length);
    await writePiecesWithBackpressure(pair.server, pieces);
    expect((await received).equals(expected)).toBe(true);
  });

  it('waits for drain when the peer does not read, and resolves once it does', async () => {
    pair = await socketPair();
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
    pair = await socketPair();
    pair.client.pause();
    const waiting = writePiecesWithBackpressure(pair.server, [Buffer.alloc(8 * 1024 * 1024)]);
    pair.server.destroy();
    await expect(waiting).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(writePiecesWithBackpressure(pair.server, [Buffer.from('x')])).rejects.toBeInstanceOf(
      ConnectionClosedError,
    );
  });
});
