/**
 * Comparators (RFC 4790: i;octet, i;ascii-casemap, i;ascii-numeric) and match types (RFC 5228
 * 2.7.1: :is, :contains, :matches; RFC 5231: :count, :value). :matches is a linear-backtracking
 * wildcard matcher (never a RegExp, which a hostile pattern could make exponential), and returns the
 * RFC 5229 3.2 match variables: ${0} the whole value, then one per wildcard.
 */
import type { Budget } from './budget.js';
import type { Comparator, Match, RelOp } from './program.js';

/** RFC 4790 9.2: i;ascii-casemap folds only a-z. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (x) => x.toLowerCase());
}

function fold(s: string, c: Comparator): string {
  return c === 'i;ascii-casemap' ? asciiLower(s) : s;
}

/** RFC 4790 9.1.1: the leading digits as a number; no leading digit is positive infinity. */
function numericValue(s: string): number {
  const m = /^\d+/.exec(s);
  return m ? Number(m[0]) : Infinity;
}

/** -1, 0, 1 ordering of two values under a comparator (RFC 5231 4 uses it for :value). */
export function compareValues(a: string, b: string, c: Comparator): number {
  if (c === 'i;ascii-numeric') {
    const x = numericValue(a);
    const y = numericValue(b);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  const x = fold(a, c);
  const y = fold(b, c);
  // i;octet orders by octets: compare UTF-8 bytes, not UTF-16 code units.
  return Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8'));
}

function relational(cmp: number, op: RelOp): boolean {
  switch (op) {
    case 'gt':
      return cmp > 0;
    case 'ge':
      return cmp >= 0;
    case 'lt':
      return cmp < 0;
    case 'le':
      return cmp <= 0;
    case 'eq':
      return cmp === 0;
    case 'ne':
      return cmp !== 0;
  }
}

/**
 * Wildcard match of `value` against `pattern` ("*" any run, "?" one character, "\" quotes the next).
 * Runs of "*" are one wildcard whose text goes to the first of them (RFC 5229 3.2's example gives
 * "**" as ${n}="..." and ${n+1}=""). Returns the captures, or null when it does not match.
 */
export function wildcardMatch(
  value: string,
  pattern: string,
  c: Comparator,
  budget: Budget,
  wantCaptures = true,
): string[] | null {
  // Tokenise the pattern: literal chars (folded), '?' and '*' (collapsed runs).
  const pat: PatternItem[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) pat.push({ k: 'lit', ch: fold(pattern[++i]!, c) });
    else if (ch === '*') {
      const last = pat[pat.length - 1];
      if (last?.k === 'star') last.run++;
      else pat.push({ k: 'star', run: 1 });
    } else if (ch === '?') pat.push({ k: 'one' });
    else pat.push({ k: 'lit', ch: fold(ch, c) });
  }
  const chars = Array.from(value);
  const folded = chars.map((ch) => fold(ch, c));
  budget.spend(1 + pat.length);
  if (!restMatches(folded, 0, pat, 0, budget)) return null;
  if (!wantCaptures) return [];
  return captures(chars, folded, pat, budget);
}

type PatternItem = { k: 'lit'; ch: string } | { k: 'one' } | { k: 'star'; run: number };

/** Second pass: leftmost-shortest assignment, now known to exist, computed segment by segment. */
function captures(chars: string[], folded: string[], pat: PatternItem[], budget: Budget): string[] {
  const out: string[] = [chars.join('')];
  let v = 0;
  for (let p = 0; p < pat.length; p++) {
    const t = pat[p]!;
    if (t.k === 'lit') {
      v++;
    } else if (t.k === 'one') {
      out.push(chars[v]!);
      v++;
    } else {
      // Shortest extension such that the rest of the pattern still matches.
      let end = v;
      while (end <= chars.length && !restMatches(folded, end, pat, p + 1, budget)) end++;
      out.push(chars.slice(v, end).join(''));
      for (let r = 1; r < t.run; r++) out.push('');
      v = end;
    }
  }
  return out;
}

/**
 * Does pat[p..] match folded[v..] exactly? Two pointers, backtracking only to the last star: a
 * glob has a match if and only if this finds one, in O(value x pattern) steps, never exponential.
 */
function restMatches(folded: string[], v0: number, pat: PatternItem[], p0: number, budget: Budget): boolean {
  let p = p0;
  let v = v0;
  let starP = -1;
  let starV = 0;
  while (v < folded.length) {
    budget.spend();
    const t = pat[p];
    if (t && t.k === 'star') {
      starP = p;
      starV = v;
      p++;
    } else if (t && (t.k === 'one' || t.ch === folded[v])) {
      p++;
      v++;
    } else if (starP >= 0) {
      p = starP + 1;
      v = ++starV;
    } else return false;
  }
  while (pat[p]?.k === 'star') p++;
  return p === pat.length;
}

export interface MatchResult {
  matched: boolean;
  /** Captures of the :matches that succeeded (RFC 5229 3.2), else null. */
  captures: string[] | null;
}

/**
 * RFC 5228 2.7.1: a test matches when any value matches any key. :count (RFC 5231 4.1) compares
 * the number of values with each key under i;ascii-numeric semantics of the comparator.
 */
export function matchAny(
  values: readonly string[],
  keys: readonly string[],
  m: Match,
  budget: Budget,
  wantCaptures = false,
): MatchResult {
  const type = m.type;
  if (type.kind === 'count') {
    const n = String(values.length);
    for (const k of keys) {
      budget.spend();
      if (relational(compareValues(n, k, m.comparator), type.op)) return { matched: true, captures: null };
    }
    return { matched: false, captures: null };
  }
  for (const value of values) {
    for (const key of keys) {
      budget.spend(1 + Math.min(value.length, key.length) / 64);
      switch (type.kind) {
        case 'is':
          if (
            m.comparator === 'i;ascii-numeric'
              ? compareValues(value, key, m.comparator) === 0
              : fold(value, m.comparator) === fold(key, m.comparator)
          ) {
            return { matched: true, captures: null };
          }
          break;
        case 'contains':
          budget.spend(value.length / 16);
          if (fold(value, m.comparator).includes(fold(key, m.comparator)))
            return { matched: true, captures: null };
          break;
        case 'matches': {
          const caps = wildcardMatch(value, key, m.comparator, budget, wantCaptures);
          if (caps) return { matched: true, captures: wantCaptures ? caps : null };
          break;
        }
        case 'value':
          if (relational(compareValues(value, key, m.comparator), type.op))
            return { matched: true, captures: null };
          break;
      }
    }
  }
  return { matched: false, captures: null };
}
