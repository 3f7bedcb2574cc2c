/**
 * RFC 4978 COMPRESS=DEFLATE: the command and its errors as a raw client sees them (compressed
 * bytes decoded by the test's own zlib), imapflow (which compresses whenever it is offered), and
 * the hostile cases: a decompression bomb reaches no buffer beyond the stream's small ones, and a
 * corrupt DEFLATE stream ends only that connection.
 */
import { createDeflateRaw, deflateRawSync } from 'node:zlib';
import { socketPair, type SocketPair } from '@minimail/protocol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ByteClient, byteLogin } from '../test-support/byte-client.js';
import { sampleMessage, startHarness, type Harness } from '../test-support/harness.js';
import { CompressedStream, DEFLATE_LIMITS } from './compression.js';

let h: Harness | null = null;
let pair: SocketPair | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
  await pair?.close();
  pair = null;
});

describe('COMPRESS=DEFLATE (RFC 4978)', () => {
  it('the RFC 4978 example: OK, then everything both ways is compressed; a second COMPRESS is NO [COMPRESSIONACTIVE]', async () => {
    h = await startHarness();
    const body = 'All work and no play makes Jack a dull boy. '.repeat(2000);
    await h.deliver('alice@example.com', sampleMessage('big', body));
    const c = await byteLogin(h.port);
    c.send('a COMPRESS DEFLATE\r\n');
    expect(await c.text('a')).toBe('a OK DEFLATE active\r\n');
    c.compress();
    c.send('b NOOP\r\n');
    expect(await c.text('b')).toBe('b OK NOOP completed\r\n');
    c.send('c COMPRESS DEFLATE\r\n');
    expect(await c.text('c')).toBe('c NO [COMPRESSIONACTIVE] DEFLATE is already active\r\n');
    c.send('d SELECT INBOX\r\n');
    await c.reply('d');
    c.send('e FETCH 1 BODY.PEEK[TEXT]\r\n');
    const text = `${body}\r\n`;
    expect(await c.text('e')).toBe(
      `* 1 FETCH (BODY[TEXT] {${text.length}}\r\n${text})\r\ne OK FETCH completed\r\n`,
    );
    // A literal sent compressed (synchronizing: the "+" comes back compressed too).
    c.send('f APPEND INBOX {11}\r\n');
    expect(await c.greeting()).toBe('+ Ready for literal data');
    c.send('Subject: x\r\n\r\n');
    expect(await c.text('f')).toMatch(
      /^\* 2 EXISTS\r\n\* 2 RECENT\r\nf OK \[APPENDUID \d+ 2\] APPEND completed\r\n$/,
    );
    c.send('g LOGOUT\r\n');
    expect(await c.text('g')).toBe('* BYE Logging out\r\ng OK LOGOUT completed\r\n');
    await c.closedByServer();
  });

  it('errors: an unknown mechanism is BAD, COMPRESS before login is BAD, no argument is BAD', async () => {
    h = await startHarness();
    const c = await ByteClient.connect(h.port);
    await c.greeting();
    c.send('a COMPRESS DEFLATE\r\n');
    expect(await c.text('a')).toBe('a BAD COMPRESS is not allowed before login\r\n');
    c.send('L LOGIN alice@example.com secret\r\n');
    await c.reply('L');
    c.send('b COMPRESS LZW\r\n');
    expect(await c.text('b')).toBe('b BAD Unknown compression mechanism\r\n');
    c.send('c COMPRESS\r\n');
    expect(await c.text('c')).toBe('c BAD Expected a space\r\n');
    // Still uncompressed after the failures.
    c.send('d NOOP\r\n');
    expect(await c.text('d')).toBe('d OK NOOP completed\r\n');
  });

  it('imapflow compresses on its own when offered, and everything still works', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', sampleMessage('one', 'x'.repeat(100_000)));
    const client = await h.imapflow();
    expect(client.capabilities.has('COMPRESS=DEFLATE')).toBe(true);
    expect((client as unknown as { _deflate?: unknown })._deflate).toBeDefined();
    await client.mailboxOpen('INBOX');
    const message = await client.fetchOne('1', { source: true });
    expect(message && message.source?.toString()).toBe(sampleMessage('one', 'x'.repeat(100_000)));
    await client.append('INBOX', sampleMessage('two'));
    expect(await client.status('INBOX', { messages: true })).toMatchObject({ messages: 2 });
  });

  it('a decompression bomb costs no memory: a 192 MiB line is discarded as it streams in', async () => {
    h = await startHarness();
    const c = await byteLogin(h.port);
    c.send('a COMPRESS DEFLATE\r\n');
    await c.reply('a');
    c.compress();
    // 192 MiB of one command line, about 200 KiB compressed, then a normal command.
    const bomb = await compressed([
      Buffer.from('x1 NOOP '),
      ...Array.from({ length: 192 }, () => Buffer.alloc(1024 * 1024, 0x41)),
      Buffer.from('\r\nz NOOP\r\n'),
    ]);
    expect(bomb.length).toBeLessThan(512 * 1024);
    const before = memory();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, memory())), 5);
    try {
      c.sendRawSocket(bomb);
      expect(await c.text('x1', 60_000)).toBe('x1 BAD Command line too long\r\n');
      expect(await c.text('z', 60_000)).toBe('z OK NOOP completed\r\n');
    } finally {
      clearInterval(sampler);
    }
    // The server (in this process) never held the line: the growth is the garbage of 16 KiB
    // chunks waiting for the collector, far below the 192 MiB inflated.
    expect(peak - before).toBeLessThan(96 * 1024 * 1024);
  });

  it('a corrupt DEFLATE stream ends that connection only', async () => {
    h = await startHarness();
    const c = await byteLogin(h.port);
    c.send('a COMPRESS DEFLATE\r\n');
    await c.reply('a');
    c.compress();
    c.sendRawSocket(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37]));
    await c.closedByServer();
    const other = await byteLogin(h.port);
    other.send('b NOOP\r\n');
    expect(await other.text('b')).toBe('b OK NOOP completed\r\n');
  });
});

describe('CompressedStream backpressure', () => {
  it('inflates no more than its small buffers while nobody reads, then everything once read', async () => {
    pair = await socketPair();
    const stream = new CompressedStream(pair.server);
    const total = 32 * 1024 * 1024;
    const bomb = deflateRawSync(Buffer.alloc(total, 0x42), { level: 9 });
    pair.client.write(bomb);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Paused (no reader): bounded by a few chunks between socket, inflater and this stream.
    expect(stream.inflatedBytes).toBeLessThanOrEqual(8 * DEFLATE_LIMITS.chunkSize);
    let received = 0;
    const done = new Promise<void>((resolve) =>
      stream.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received === total) resolve();
      }),
    );
    await done;
    expect(stream.inflatedBytes).toBe(total);
    stream.destroy();
  });
});

/** Raw DEFLATE of the pieces in turn, without holding them joined (the test's own memory). */
async function compressed(pieces: readonly Buffer[]): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => deflate.on('end', resolve));
  for (const piece of pieces) deflate.write(piece);
  deflate.end();
  await ended;
  return Buffer.concat(out);
}

function memory(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}
