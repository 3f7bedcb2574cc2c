import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { collectMessage, normalizeLineEndings } from './delivery.js';
import { mergePlans } from './envelope-policy.js';

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
    expect(await collected).toEqual({ data: Buffer.from('hello all'), size: 9 });
  });

  it('drops the data once over the limit but still counts and drains it', async () => {
    const stream = new PassThrough();
    const collected = collectMessage(stream, 4);
    stream.write('abc');
    stream.write('def');
    stream.end('ghi');
    expect(await collected).toEqual({ data: null, size: 9 });
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
