/** Seeded randomness for the property tests, so a failing run can be replayed from its seed. */

/** mulberry32: a tiny seeded PRNG. */
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

/** One of `items`, which must not be empty. */
export const pick = <T>(random: () => number, items: readonly T[]): T => items[int(random, items.length)]!;
