import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Seeded randomness for the property/fuzz tests of every parser. A run prints nothing extra; a failing
 * case names FUZZ_SEED so the exact run can be replayed. FUZZ_LONG=1 asks for many more cases.
 */

/** The seed CI uses (any fixed value would do; this one is the project's birthday). */
const CI_SEED = 20261124;

/** Whether the long mode was asked for (`FUZZ_LONG=1`). */
export const FUZZ_LONG = process.env['FUZZ_LONG'] === '1';

/**
 * The run's seed: `FUZZ_SEED` to replay a failure; in CI a fixed one, so that a submission is judged
 * by its code and not by the luck of the draw; otherwise a new one each run, to keep exploring.
 */
export const FUZZ_SEED = Number(
  process.env['FUZZ_SEED'] ?? (process.env['CI'] ? CI_SEED : Date.now() % 2 ** 31),
);

/** mulberry32: a tiny, fast, seeded PRNG with values in [0, 1). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A whole number in [0, max). */
export const int = (random: () => number, max: number): number => Math.floor(random() * max);

/** One item of a non-empty list. */
export const pick = <T>(random: () => number, items: readonly T[]): T => items[int(random, items.length)]!;

/**
 * Heap growth in bytes over `rounds` calls of `round`, measured between forced collections after
 * one warm-up call (JIT and lazy caches): the fuzz suites' "the heap stays flat" check.
 */
export function heapGrowthBytes(round: () => void, rounds: number): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  round();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let r = 0; r < rounds; r++) round();
  gc();
  return process.memoryUsage().heapUsed - before;
}
