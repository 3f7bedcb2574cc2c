/**
 * Property tests of the SASL decoders: random and mutated client responses never throw, always
 * come back as a typed result (ok, or one of the SaslErrorCodes), and valid PLAIN/LOGIN messages
 * round-trip exactly. FUZZ_LONG=1 runs many more cases; FUZZ_SEED replays one run.
 */
import { describe, expect, it } from 'vitest';
import { LIMITS } from './limits.js';
import { decodeSaslLoginResponse, decodeSaslPlain, decodeSaslResponse, type SaslErrorCode } from './sasl.js';
import { FUZZ_LONG, FUZZ_SEED, heapGrowthBytes, int, prng } from './testing/fuzz.js';

const ERROR_CODES: ReadonlySet<SaslErrorCode> = new Set(['CANCELLED', 'BAD_BASE64', 'MALFORMED', 'TOO_LONG']);

/** A random UTF-8 string: ASCII, Latin-1, CJK and astral characters, sometimes NULs. */
function randomText(random: () => number, maxChars: number, allowNul: boolean): string {
  let out = '';
  const length = int(random, maxChars + 1);
  for (let i = 0; i < length; i++) {
    const r = random();
    if (allowNul && r < 0.05) out += '\0';
    else if (r < 0.7) out += String.fromCharCode(0x21 + int(random, 94));
    else if (r < 0.85) out += String.fromCharCode(0xa0 + int(random, 0x60));
    else if (r < 0.95) out += String.fromCharCode(0x4e00 + int(random, 0x1000));
    else out += String.fromCodePoint(0x1f600 + int(random, 0x40));
  }
  return out;
}

/** A valid response, then flipped, cut, padded or spliced characters. */
function mutate(random: () => number, text: string): string {
  let out = text;
  const rounds = 1 + int(random, 3);
  for (let i = 0; i < rounds; i++) {
    const at = int(random, out.length + 1);
    const r = random();
    if (r < 0.25) out = out.slice(0, at) + String.fromCharCode(int(random, 256)) + out.slice(at + 1);
    else if (r < 0.45) out = out.slice(0, at);
    else if (r < 0.6) out = out.slice(0, at) + '=' + out.slice(at);
    else if (r < 0.7) out = ` ${out}\t`;
    else if (r < 0.8) out = out + 'A'.repeat(int(random, LIMITS.maxSaslResponseBytes + 10));
    else if (r < 0.9) out = out.slice(0, at) + '*' + out.slice(at);
    else out = out.slice(0, at) + out.slice(at + 1 + int(random, 4));
  }
  return out;
}

function checkResult(result: { ok: boolean; error?: { code: SaslErrorCode; detail: string } }): void {
  if (!result.ok) {
    expect(ERROR_CODES.has(result.error!.code)).toBe(true);
    expect(typeof result.error!.detail).toBe('string');
  }
}

describe(`SASL decoders fuzz (seed ${FUZZ_SEED}; replay with FUZZ_SEED=${FUZZ_SEED})`, () => {
  it('round-trips valid PLAIN messages and never throws on mutated ones', () => {
    const random = prng(FUZZ_SEED);
    const cases = FUZZ_LONG ? 200_000 : 8_000;
    for (let i = 0; i < cases; i++) {
      const authzid = random() < 0.5 ? '' : randomText(random, 20, false);
      const authcid = randomText(random, 40, false) || 'u';
      const password = randomText(random, 40, false) || 'p';
      const encoded = Buffer.from(`${authzid}\0${authcid}\0${password}`, 'utf8').toString('base64');
      const context = `seed ${FUZZ_SEED} case ${i}`;
      const fitsField = [authzid, authcid, password].every(
        (field) => Buffer.byteLength(field) <= LIMITS.maxSaslFieldBytes,
      );
      const decoded = decodeSaslPlain(encoded);
      if (fitsField) {
        expect(decoded, context).toEqual({
          ok: true,
          value: { authzid: authzid === '' ? null : authzid, authcid, password },
        });
      } else {
        expect(decoded, context).toMatchObject({ ok: false, error: { code: 'TOO_LONG' } });
      }
      const mutated = mutate(random, encoded);
      checkResult(decodeSaslPlain(mutated));
      checkResult(decodeSaslLoginResponse(mutated));
      const response = decodeSaslResponse(mutated);
      checkResult(response);
      // What decodes must re-encode to the same text (no silently skipped characters). Only the
      // unused low bits of the last character may differ: RFC 4648 3.5 lets decoders accept them.
      if (response.ok && mutated.trim() !== '=') {
        const trimmed = mutated.trim();
        const again = response.value.toString('base64');
        const lastData = trimmed.replace(/=+$/, '').length - 1;
        expect(again.length, `${context} ${JSON.stringify(mutated)}`).toBe(trimmed.length);
        expect(again.slice(0, lastData), `${context} ${JSON.stringify(mutated)}`).toBe(
          trimmed.slice(0, lastData),
        );
      }
    }
  });

  it('answers random text of any shape with a typed result', () => {
    const random = prng(FUZZ_SEED ^ 0x5a5a5a5a);
    const cases = FUZZ_LONG ? 200_000 : 8_000;
    for (let i = 0; i < cases; i++) {
      const text = randomText(random, random() < 0.05 ? 20_000 : 80, true);
      checkResult(decodeSaslResponse(text));
      checkResult(decodeSaslPlain(text));
      checkResult(decodeSaslLoginResponse(text));
    }
  });

  it('keeps the heap flat over many decodes', () => {
    const random = prng(FUZZ_SEED + 1);
    const round = (): void => {
      for (let i = 0; i < 5_000; i++)
        decodeSaslPlain(mutate(random, Buffer.from(`a\0b\0c${i}`).toString('base64')));
    };
    // Nothing is retained between calls: a few MiB of slack covers JIT and allocator noise.
    expect(heapGrowthBytes(round, FUZZ_LONG ? 40 : 4)).toBeLessThan(8 * 1024 * 1024);
  });
});
