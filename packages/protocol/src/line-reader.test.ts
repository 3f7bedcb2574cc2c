import { PassThrough } from 'node:stream';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { LineReader, LineTooLongError } from './line-reader.js';
import { socketPair, type SocketPair } from './testing/socket-pair.js';
import { createServerSecureContext, upgradeToTls } from './tls.js';
import { devFiles } from './test-support/dev-files.js';

const text = (line: Buffer | null): string | null => (line === null ? null : line.toString('latin1'));

async function readAllLines(reader: LineReader): Promise<string[]> {
  const lines: string[] = [];
  while (true) {
    const line = await reader.readLine();
    if (line === null) return lines;
    lines.push(line.toString('latin1'));
  }
}

describe('LineReader over a stream', () => {
  it('splits pipelined lines arriving in one chunk, accepting CRLF and bare LF', async () => {
    const stream = new PassThrough();
    const reader = new LineReader(stream);
    stream.end('A1 NOOP\r\nA2 CAPABILITY\nA3 LOGOUT\r\n\r\n');
    expect(await readAllLines(reader)).toEqual(['A1 NOOP', 'A2 CAPABILITY', 'A3 LOGOUT', '']);
  });

  it('reassembles lines delivered one byte at a time', async () => {
    const stream = new PassThrough();
    const reader = new LineReader(stream);
    const input = Buffer.from('USER alice\r\nPASS secret\r\nQUIT\r\n');
    const lines = readAllLines(reader);
    for (const byte of input) {
      stream.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    stream.end();
    expect(await lines).toEqual(['USER alice', 'PASS secret', 'QUIT']);
  });

  it('keeps a CR that is not followed by LF inside the line', async () => {
    const stream = new PassThrough();
    const reader = new LineReader(stream);
    stream.end('a\rb\r\n');
    expect(text(await reader.readLine())).toBe('a\rb');
  });

  it('drops an unterminated last line at end of stream', async () => {
    const stream = new PassThrough();
    const reader = new LineReader(stream);
    stream.end('NOOP\r\nQUI');
    expect(await readAllLines(reader)).toEqual(['NOOP']);
  });

  it('accepts a line of exactly the limit and rejects one byte more, then goes on', async () => {
    const stream = new PassThrough();
    const reader = new LineReader(stream, { maxLineBytes: 10 });
    stream.end(`${'x'.repeat(10)}\r\n${'y'.repeat(11)}\r\n${'z'.repeat(11)}\nNEXT\r\n`);
    expect(text(await reader.readLine())).toBe('x'.repeat(10));
    await expect(reader.readLine()).rejects.toBeInstanceOf(LineTooLongError);
    await expect(reader.readLine()).rejects.toMatchObject({ code: 'LINE_TOO_LONG', maxLineBytes: 10 });
    expect(text(await reader.readLine())).toBe('NEXT');
    expect(await reader.readLine()).toBeNull();
  });

  it('holds one read to a tighter limit than the reader bound, read by read', async () => {
    const stream = new PassThrough();
    const reader = new LineReader(stream, { maxLineBytes: 100 });
    stream.end(`${'x'.repeat(5)}\r\n${'y'.repeat(6)}\r\n${'z'.repeat(100)}\r\n${'w'.repeat(6)}\r\n`);
    expect(text(await reader.readLine(5))).toBe('x'.repeat(5));
    await expect(reader.readLine(5)).rejects.toMatchObject({ code: 'LINE_TOO_LONG', maxLineBytes: 5 });
    // The next read uses the reader's bound again.
    expect(text(await reader.readLine())).toBe('z'.repeat(100));
    // An overlong line is dropped once past the limit, not buffered to the reader's bound.
    const pending = reader.readLine(5);
    await expect(pending).rejects.toMatchObject({ code: 'LINE_TOO_LONG', maxLineBytes: 5 });
    expect(reader.buffered).toBe(0);
    expect(await reader.readLine()).toBeNull();
  });

  it('discards a very long line chunk by chunk without buffering it', async () => {
    const stream = new PassThrough();
    const reader = new LineReader(stream, { maxLineBytes: 100, highWaterMark: 1024 });
    const pending = reader.readLine();
    let maxBuffered = 0;
    for (let i = 0; i < 200; i += 1) {
      stream.write('a'.repeat(1000));
      await new Promise((resolve) => setImmediate(resolve));
      maxBuffered = Math.max(maxBuffered, reader.buffered);
    }
    stream.end('tail\r\nAFTER\r\n');
    await expect(pending).rejects.toBeInstanceOf(LineTooLongError);
    expect(maxBuffered).toBeLessThanOrEqual(1000);
    expect(text(await reader.readLine())).toBe('AFTER');
  });

  it('reports an overlong line cut off by end of stream, then end of stream', async () => {
    const stream = new PassThrough();
    const reader = new LineReader(stream, { maxLineBytes: 4 });
    stream.end('abcdefgh');
    await expect(reader.readLine()).rejects.toBeInstanceOf(LineTooLongError);
    expect(await reader.readLine()).toBeNull();
  });

  it('reads a literal spanning chunks, then the rest of the command line', async () => {
    const stream = new PassThrough();
    const reader = new LineReader(stream);
    stream.write('A1 APPEND INBOX {12}\r\nHel');
    expect(text(await reader.readLine())).toBe('A1 APPEND INBOX {12}');
    const literal = reader.readBytes(12);
    stream.write('lo\r\n');
    await new Promise((resolve) => setImmediate(resolve));
    stream.write('Wo');
    stream.end('rld\r\n');
    expect(text(await literal)).toBe('Hello\r\nWorld');
    expect(text(await reader.readLine())).toBe('');
    expect(await reader.readLine()).toBeNull();
  });

  it('returns an empty literal at once and null for a literal cut off by end of stream', async () => {
    const stream = new PassThrough();
    const reader = new LineReader(stream);
    expect((await reader.readBytes(0))?.length).toBe(0);
    stream.end('abc');
    expect(await reader.readBytes(5)).toBeNull();
  });

  it('refuses a second read while one is pending, and a negative byte count', async () => {
    const stream = new PassThrough();
    const reader = new LineReader(stream);
    const first = reader.readLine();
    await expect(reader.readLine()).rejects.toThrow(/already in progress/);
    await expect(reader.readBytes(-1)).rejects.toBeInstanceOf(RangeError);
    stream.end('ok\r\n');
    expect(text(await first)).toBe('ok');
  });

  it('rejects a pending read with the stream error', async () => {
    const stream = new PassThrough();
    const reader = new LineReader(stream);
    const pending = reader.readLine();
    stream.destroy(new Error('ECONNRESET'));
    await expect(pending).rejects.toThrow('ECONNRESET');
  });

  it('hands over buffered bytes on detach and continues on a new source', async () => {
    const first = new PassThrough();
    const reader = new LineReader(first);
    first.write('STARTTLS\r\nMAIL FROM:<evil@example.com>\r\n');
    expect(text(await reader.readLine())).toBe('STARTTLS');
    reader.detach();
    expect(reader.takeBuffered().toString()).toBe('MAIL FROM:<evil@example.com>\r\n');
    first.write('ignored\r\n');
    const second = new PassThrough();
    reader.attach(second);
    second.end('EHLO again\r\n');
    expect(await readAllLines(reader)).toEqual(['EHLO again']);
  });

  it('refuses to attach a second source without detaching the first', () => {
    const reader = new LineReader(new PassThrough());
    expect(() => reader.attach(new PassThrough())).toThrow(/detach/);
  });
});

describe('LineReader over TCP', () => {
  let pair: SocketPair | null = null;
  afterEach(async () => {
    await pair?.close();
    pair = null;
  });

  it('reads lines sent before the client half-closes and can still answer', async () => {
    pair = await socketPair({ allowHalfOpen: true });
    const { server, client } = pair;
    const reader = new LineReader(server);
    client.end('QUIT\r\n');
    expect(text(await reader.readLine())).toBe('QUIT');
    expect(await reader.readLine()).toBeNull();
    const reply = new Promise<string>((resolve) => client.once('data', (data) => resolve(data.toString())));
    server.end('+OK bye\r\n');
    expect(await reply).toBe('+OK bye\r\n');
  });

  it('pauses the socket once the buffer bound is reached and resumes when read', async () => {
    pair = await socketPair();
    const { server, client } = pair;
    const reader = new LineReader(server, { highWaterMark: 4096 });
    const line = `${'x'.repeat(99)}\r\n`; // 101 bytes
    const total = 2_000;
    client.write(line.repeat(total));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.isPaused()).toBe(true);
    // At most one socket read beyond the bound is held.
    expect(reader.buffered).toBeLessThan(4096 + 65_536);
    for (let i = 0; i < total; i += 1) expect(text(await reader.readLine())).toBe('x'.repeat(99));
    expect(reader.buffered).toBe(0);
  });

  it('upgrades to TLS mid-stream, discarding plaintext pipelined after STARTTLS', async () => {
    pair = await socketPair();
    const { server, client } = pair;
    const reader = new LineReader(server);
    client.write('STARTTLS\r\nINJECTED\r\n');
    expect(text(await reader.readLine())).toBe('STARTTLS');
    reader.detach();
    // Both lines arrived in one segment on loopback; the injected one must not survive.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reader.discardBuffered()).toBe('INJECTED\r\n'.length);
    server.write('220 go ahead\r\n');
    const goAhead = await new Promise<string>((resolve) => client.once('data', (d) => resolve(d.toString())));
    expect(goAhead).toBe('220 go ahead\r\n');
    const context = createServerSecureContext(await devFiles());
    const [secureServer, secureClient] = await Promise.all([
      upgradeToTls(server, context),
      new Promise<tls.TLSSocket>((resolve, reject) => {
        const socket = tls.connect({ socket: client, rejectUnauthorized: false }, () => resolve(socket));
        socket.once('error', reject);
      }),
    ]);
    reader.attach(secureServer);
    secureClient.write('EHLO secure\r\n');
    expect(text(await reader.readLine())).toBe('EHLO secure');
    expect(secureServer.getProtocol()).toMatch(/^TLSv1\.[23]$/);
    secureClient.end();
    expect(await reader.readLine()).toBeNull();
    secureServer.destroy();
  });
});
