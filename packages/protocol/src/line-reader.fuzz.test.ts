/**
 * Property tests of LineReader: random byte streams, cut into random chunks, must come out as
 * exactly the lines a simple reference splitter finds (LF-terminated, CR stripped, overlong lines
 * reported as LineTooLongError and skipped), and the reader must never hold more than its
 * high-water mark plus one chunk. FUZZ_LONG=1 runs many more cases.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineReader, LineTooLongError } from './line-reader.js';
import { FUZZ_LONG, FUZZ_SEED, prng } from './testing/fuzz.js';

type Outcome = { line: string } | { tooLong: true };

/** The reference: what a reader with this limit must return for this input. */
function referenceLines(input: Buffer, maxLineBytes: number): Outcome[] {
  const out: Outcome[] = [];
  let start = 0;
  for (let lf = input.indexOf(0x0a); lf >= 0; lf = input.indexOf(0x0a, start)) {
    let end = lf;
    if (end > start && input[end - 1] === 0x0d) end -= 1;
    out.push(end - start > maxLineBytes ? { tooLong: true } : { line: input.toString('latin1', start, end) });
    start = lf + 1;
  }
  // An unterminated last line is not a command and is dropped at end of stream, unless it was
  // already too long to keep (max + CR + LF bytes): then it is reported like any overlong line.
  if (input.length - start >= maxLineBytes + 2) out.push({ tooLong: true });
  return out;
}

/** Random input made of lines of varied length, CR/LF/CRLF endings and stray control bytes. */
function randomInput(random: () => number, maxLineBytes: number): Buffer {
  const parts: Buffer[] = [];
  const lines = Math.floor(random() * 12);
  for (let i = 0; i < lines; i++) {
    const shape = random();
    const length =
      shape < 0.15
        ? maxLineBytes + Math.floor(random() * 3) - 1 // right at the limit
        : shape < 0.25
          ? maxLineBytes * (2 + Math.floor(random() * 4)) // far over it
          : Math.floor(random() * 40);
    const bytes = Buffer.alloc(length);
    for (let j = 0; j < length; j++) {
      const r = random();
      bytes[j] = r < 0.02 ? 0x0d : r < 0.04 ? 0x00 : r < 0.06 ? 0xff : 0x20 + Math.floor(random() * 95);
    }
    parts.push(bytes);
    const ending = random();
    parts.push(Buffer.from(ending < 0.6 ? '\r\n' : ending < 0.85 ? '\n' : ending < 0.95 ? '\r\r\n' : ''));
  }
  return Buffer.concat(parts);
}

/** Feeds `input` in random chunk sizes while reading; returns what the reader produced. */
async function runReader(
  input: Buffer,
  random: () => number,
  maxLineBytes: number,
  highWaterMark: number,
): Promise<{ outcomes: Outcome[]; peakBuffered: number; maxChunk: number }> {
  const source = new PassThrough();
  const reader = new LineReader(source, { maxLineBytes, highWaterMark });
  let peakBuffered = 0;
  let maxChunk = 0;
  const writer = (async () => {
    let offset = 0;
    while (offset < input.length) {
      const size = 1 + Math.floor(random() * (random() < 0.2 ? 4 * maxLineBytes : 8));
      const chunk = input.subarray(offset, offset + size);
      maxChunk = Math.max(maxChunk, chunk.length);
      offset += size;
      if (!source.write(chunk)) await new Promise((resolve) => source.once('drain', resolve));
      peakBuffered = Math.max(peakBuffered, reader.buffered);
      if (random() < 0.3) await new Promise((resolve) => setImmediate(resolve));
    }
    source.end();
  })();
  const outcomes: Outcome[] = [];
  for (;;) {
    try {
      const line = await reader.readLine();
      peakBuffered = Math.max(peakBuffered, reader.buffered);
      if (line === null) break;
      expect(line.includes(0x0a)).toBe(false);
      expect(line.length).toBeLessThanOrEqual(maxLineBytes);
      outcomes.push({ line: line.toString('latin1') });
    } catch (error) {
      // The only error a read may raise on a healthy stream is the typed one.
      expect(error).toBeInstanceOf(LineTooLongError);
      outcomes.push({ tooLong: true });
    }
  }
  await writer;
  return { outcomes, peakBuffered, maxChunk };
}

describe(`LineReader fuzz (seed ${FUZZ_SEED}; replay with FUZZ_SEED=${FUZZ_SEED})`, () => {
  it('returns exactly the reference lines for random streams cut at random places', async () => {
    const random = prng(FUZZ_SEED);
    const cases = FUZZ_LONG ? 20_000 : 1_500;
    for (let i = 0; i < cases; i++) {
      const maxLineBytes = 8 + Math.floor(random() * 64);
      const highWaterMark = maxLineBytes * 2 + Math.floor(random() * 64);
      const input = randomInput(random, maxLineBytes);
      const { outcomes, peakBuffered, maxChunk } = await runReader(
        input,
        random,
        maxLineBytes,
        highWaterMark,
      );
      const context = `seed ${FUZZ_SEED} case ${i} input ${JSON.stringify(input.toString('latin1'))}`;
      expect(outcomes, context).toEqual(referenceLines(input, maxLineBytes));
      // Bounded memory: the source is paused at the high-water mark, so at most one more chunk lands.
      expect(peakBuffered, context).toBeLessThanOrEqual(highWaterMark + maxChunk);
    }
  });

  it('keeps buffered bytes bounded while a 4 MiB line without LF streams in', async () => {
    const maxLineBytes = 1024;
    const highWaterMark = 8 * 1024;
    const source = new PassThrough();
    const reader = new LineReader(source, { maxLineBytes, highWaterMark });
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    let peak = 0;
    const writer = (async () => {
      for (let sent = 0; sent < 4 * 1024 * 1024; sent += chunk.length) {
        if (!source.write(chunk)) await new Promise((resolve) => source.once('drain', resolve));
        peak = Math.max(peak, reader.buffered);
      }
      source.end('\r\nNEXT\r\n');
    })();
    await expect(reader.readLine()).rejects.toBeInstanceOf(LineTooLongError);
    expect((await reader.readLine())?.toString()).toBe('NEXT');
    expect(await reader.readLine()).toBeNull();
    await writer;
    expect(peak).toBeLessThanOrEqual(highWaterMark + chunk.length);
  });
});
