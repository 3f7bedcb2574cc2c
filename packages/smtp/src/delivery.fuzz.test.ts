/**
 * Property tests of the SMTP package's own byte handling (smtp-server parses the commands):
 * line-ending normalization, the bounded DATA collector and the Received header built from
 * client-chosen names. Random inputs never throw, never leave a bare CR or LF, never keep more
 * than the limit, and never let a client break a header line. FUZZ_LONG=1 runs many more cases.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { collectMessage, normalizeLineEndings } from './delivery.js';
import { receivedHeader } from './received-header.js';
import { FUZZ_LONG, FUZZ_SEED, heapGrowthBytes, int, prng } from '@minimail/protocol/testing';

/** Bytes biased towards CR, LF, dots and 8-bit values: what breaks line handling. */
function randomBytes(random: () => number, maxLength: number): Buffer {
  const bytes = Buffer.alloc(int(random, maxLength + 1));
  for (let i = 0; i < bytes.length; i++) {
    const r = random();
    bytes[i] =
      r < 0.15
        ? 0x0d
        : r < 0.3
          ? 0x0a
          : r < 0.35
            ? 0x2e
            : r < 0.45
              ? 0x80 + int(random, 128)
              : 0x20 + int(random, 95);
  }
  return bytes;
}

describe(`SMTP byte handling fuzz (seed ${FUZZ_SEED}; replay with FUZZ_SEED=${FUZZ_SEED})`, () => {
  it('normalizeLineEndings leaves only CRLF, keeps every other byte, and is idempotent', () => {
    const random = prng(FUZZ_SEED);
    for (let i = 0, cases = FUZZ_LONG ? 200_000 : 10_000; i < cases; i++) {
      const input = randomBytes(random, 200);
      const output = normalizeLineEndings(input);
      const context = `seed ${FUZZ_SEED} case ${i} ${JSON.stringify(input.toString('latin1'))}`;
      const text = output.toString('latin1');
      expect(/\r(?!\n)|(?<!\r)\n/.test(text), context).toBe(false);
      // Same lines, whatever their endings were (RFC 5321 2.3.8).
      expect(text.split('\r\n'), context).toEqual(input.toString('latin1').split(/\r\n|\r|\n/));
      expect(normalizeLineEndings(output).equals(output), context).toBe(true);
    }
  });

  it('collectMessage keeps exactly the data up to the limit and nothing past it', async () => {
    const random = prng(FUZZ_SEED ^ 0x2468ace);
    for (let i = 0, cases = FUZZ_LONG ? 20_000 : 1_000; i < cases; i++) {
      const maxBytes = 1 + int(random, 4096);
      const chunks = Array.from({ length: int(random, 12) }, () => randomBytes(random, 1024));
      const stream = new PassThrough();
      const collected = collectMessage(stream, maxBytes);
      for (const chunk of chunks) stream.write(chunk);
      stream.end();
      const { data, size } = await collected;
      const all = Buffer.concat(chunks);
      const context = `seed ${FUZZ_SEED} case ${i}`;
      expect(size, context).toBe(all.length);
      if (all.length > maxBytes) expect(data, context).toBeNull();
      else expect(data?.equals(all), context).toBe(true);
    }
  });

  it('collectMessage rejects, rather than hangs, when the client vanishes mid-DATA', async () => {
    const stream = new PassThrough();
    const collected = collectMessage(stream, 1024);
    stream.write('Subject: half\r\n');
    stream.destroy();
    await expect(collected).rejects.toThrow('connection closed before the end of DATA');
  });

  it('receivedHeader stays one folded header whatever the client calls itself', () => {
    const random = prng(FUZZ_SEED + 99);
    for (let i = 0, cases = FUZZ_LONG ? 100_000 : 5_000; i < cases; i++) {
      const heloName = randomBytes(random, 300).toString('latin1');
      const header = receivedHeader({
        heloName,
        remoteAddress: random() < 0.5 ? '192.0.2.1' : '2001:db8::1',
        hostname: 'mx.example.test',
        esmtp: random() < 0.5,
        secure: random() < 0.5,
        authenticated: random() < 0.5,
        id: 'abc123',
        singleRecipient: random() < 0.5 ? null : 'bob@example.test',
        date: new Date(int(random, 4e12)),
      });
      const context = `seed ${FUZZ_SEED} case ${i} ${JSON.stringify(heloName)}`;
      expect(header.endsWith('\r\n'), context).toBe(true);
      const lines = header.slice(0, -2).split('\r\n');
      expect(lines[0], context).toMatch(
        /^Received: from [A-Za-z0-9.\-_:[\]]+ \(\[(?:IPv6:)?[0-9a-f.:]+\]\)$/,
      );
      // RFC 5322 2.2.3: continuation lines start with whitespace; no bare CR or LF anywhere.
      for (const line of lines.slice(1)) expect(line, context).toMatch(/^\t[^\r\n]+$/);
      expect(lines.length, context).toBeLessThanOrEqual(3);
    }
  });

  it('keeps the heap flat while normalizing many messages', () => {
    const random = prng(FUZZ_SEED + 5);
    const round = (): void => {
      for (let i = 0; i < 5_000; i++) normalizeLineEndings(randomBytes(random, 500));
    };
    expect(heapGrowthBytes(round, FUZZ_LONG ? 30 : 3)).toBeLessThan(8 * 1024 * 1024);
  });
});
