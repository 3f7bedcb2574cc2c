import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  collectMessage,
  lineEndingNormalizer,
  normalizeLineEndings,
  prependTraceHeaders,
} from './delivery.js';
import { mergePlans } from './envelope-policy.js';
import { TRACE_HEADROOM } from './limits.js';

describe('normalizeLineEndings (RFC 5321 2.3.8)', () => {
  it.each([
    ['a\r\nb\r\n', 'a\r\nb\r\n'],
    ['a\nb\n', 'a\r\nb\r\n'],
    ['a\rb\r', 'a\r\nb\r\n'],
    ['a\r\n\nb\r\r\n', 'a\r\n\r\nb\r\n\r\n'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeLineEndings(Buffer.from(input, 'latin1')).toString('latin1')).toBe(expected);
  });

  it('keeps 8-bit bytes exactly', () => {
    const input = Buffer.from([0xc3, 0xa9, 0x0a, 0xff, 0x0d, 0x0a]);
    expect([...normalizeLineEndings(input)]).toEqual([0xc3, 0xa9, 0x0d, 0x0a, 0xff, 0x0d, 0x0a]);
  });
});

describe('collectMessage', () => {
  it('returns every byte under the limit', async () => {
    const stream = new PassThrough();
    const collected = collectMessage(stream, 10);
    stream.write('hello ');
    stream.end('all');
    expect(await collected).toEqual({
      data: Buffer.from('hello all'),
      spooled: null,
      size: 9,
      overBudget: false,
      spoolFailed: false,
      reservation: null,
      discard: expect.any(Function),
    });
  });

  it('drops the data once over the limit but still counts and drains it', async () => {
    const stream = new PassThrough();
    const collected = collectMessage(stream, 4);
    stream.write('abc');
    stream.write('def');
    stream.end('ghi');
    expect(await collected).toEqual({
      data: null,
      spooled: null,
      size: 9,
      overBudget: false,
      spoolFailed: false,
      reservation: null,
      discard: expect.any(Function),
    });
  });

  it('fails when the stream closes before its end', async () => {
    const stream = new PassThrough();
    const collected = collectMessage(stream, 100);
    stream.write('partial');
    stream.destroy();
    await expect(collected).rejects.toThrow(/before the end of DATA/);
  });
});

describe('mergePlans', () => {
  it('delivers each user, created address and relay recipient once', () => {
    expect(
      mergePlans([
        { userIds: [1, 2], create: ['A@x.test'], relay: ['r@remote.test'] },
        { userIds: [2], create: ['a@x.test'], relay: ['R@remote.test'] },
      ]),
    ).toEqual({ userIds: [1, 2], create: ['a@x.test'], relay: ['r@remote.test'] });
  });
});

describe('prependTraceHeaders', () => {
  const collect = async (text: string): Promise<Buffer> => {
    const stream = new PassThrough();
    const collected = collectMessage(stream, 1000);
    stream.end(text);
    const { data } = await collected;
    if (data === null) throw new Error('over the limit');
    return data;
  };

  it('writes the headers into the headroom of a collected message, without copying it', async () => {
    const message = await collect('Subject: x\r\n\r\nbody\r\n');
    const raw = prependTraceHeaders('Received: from a\r\n', message);
    expect(raw.toString('latin1')).toBe('Received: from a\r\nSubject: x\r\n\r\nbody\r\n');
    expect(raw.buffer).toBe(message.buffer);
    expect(raw.byteOffset + raw.length).toBe(message.byteOffset + message.length);
  });

  it('copies once the headroom is used, so a first result is never overwritten', async () => {
    const message = await collect('body\r\n');
    const first = prependTraceHeaders('X-First: 1\r\n', message);
    const second = prependTraceHeaders('X-Second: 2\r\n', message);
    expect(first.toString('latin1')).toBe('X-First: 1\r\nbody\r\n');
    expect(second.toString('latin1')).toBe('X-Second: 2\r\nbody\r\n');
  });

  it('fills the headroom to the last octet, counting octets rather than characters', async () => {
    const exact = `X-Fill: ${'a'.repeat(TRACE_HEADROOM - 'X-Fill: \r\n'.length)}\r\n`;
    const message = await collect('body\r\n');
    const raw = prependTraceHeaders(exact, message);
    expect(raw.toString('latin1')).toBe(`${exact}body\r\n`);
    // In place: the result ends where the message ends, in the same memory (small Buffers share
    // Node's pool, so the same ArrayBuffer alone would not show it).
    expect(raw.buffer).toBe(message.buffer);
    expect(raw.byteOffset + raw.length).toBe(message.byteOffset + message.length);
    // Fewer characters than the headroom, more octets (two per é in UTF-8): it is copied instead.
    const wide = `X-Wide: ${'\u00e9'.repeat(TRACE_HEADROOM / 2)}\r\n`;
    const other = await collect('body\r\n');
    const copied = prependTraceHeaders(wide, other);
    expect(copied.toString('utf8')).toBe(`${wide}body\r\n`);
    expect(other.toString('latin1')).toBe('body\r\n');
    // The headroom it did not fit in is still free for headers that do.
    const short = prependTraceHeaders('X-Short: 1\r\n', other);
    expect(short.toString('latin1')).toBe('X-Short: 1\r\nbody\r\n');
    expect(short.byteOffset + short.length).toBe(other.byteOffset + other.length);
  });

  it('concatenates headers longer than the headroom, and messages it did not collect', async () => {
    const long = `X-Long: ${'a'.repeat(TRACE_HEADROOM)}\r\n`;
    expect(prependTraceHeaders(long, await collect('body\r\n')).toString('latin1')).toBe(`${long}body\r\n`);
    // The octets before a Buffer it did not allocate belong to someone else: never written.
    const original = Buffer.from('prefix|body\r\n', 'latin1');
    expect(prependTraceHeaders('T: \u00e9\r\n', original.subarray(7)).toString('utf8')).toBe(
      'T: \u00e9\r\nbody\r\n',
    );
    expect(original.toString('latin1')).toBe('prefix|body\r\n');
  });
});

describe('lineEndingNormalizer', () => {
  // Every split of each input into two chunks gives what normalizeLineEndings gives for the whole.
  it.each(['a\r\nb\r\n', 'a\nb\n', 'a\rb\r', 'a\r\n\nb\r\r\n', '\r', '\n', 'x\r', '\r\n\r\n'])(
    '%j in any two chunks is normalizeLineEndings of the whole',
    (input) => {
      const whole = normalizeLineEndings(Buffer.from(input, 'latin1')).toString('latin1');
      for (let cut = 0; cut <= input.length; cut++) {
        const normalize = lineEndingNormalizer();
        const out = [
          normalize(Buffer.from(input.slice(0, cut), 'latin1'), false),
          normalize(Buffer.from(input.slice(cut), 'latin1'), false),
          normalize(Buffer.alloc(0), true),
        ];
        expect(Buffer.concat(out).toString('latin1')).toBe(whole);
      }
    },
  );
});
