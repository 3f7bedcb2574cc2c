/**
 * The `i;unicode-casemap` collation (RFC 5051), which I18NLEVEL=1 (RFC 5255 4) makes the one
 * SORT and THREAD compare strings with: each character to its titlecase form (Unicode simple
 * mapping), the result to canonical decomposition, then compared as UTF-8 octets, that is by
 * code point.
 */

/**
 * Characters whose simple titlecase differs from their uppercase (UnicodeData.txt field 14): the
 * Latin digraphs DŽ, LJ, NJ and DZ. Every other character's titlecase is its uppercase when that
 * is a single code point (a simple mapping), else the character itself (RFC 5051 2: "simple").
 */
const TITLECASE: ReadonlyMap<string, string> = new Map([
  ['\u01c4', '\u01c5'],
  ['\u01c5', '\u01c5'],
  ['\u01c6', '\u01c5'],
  ['\u01c7', '\u01c8'],
  ['\u01c8', '\u01c8'],
  ['\u01c9', '\u01c8'],
  ['\u01ca', '\u01cb'],
  ['\u01cb', '\u01cb'],
  ['\u01cc', '\u01cb'],
  ['\u01f1', '\u01f2'],
  ['\u01f2', '\u01f2'],
  ['\u01f3', '\u01f2'],
]);

function titlecase(ch: string): string {
  const special = TITLECASE.get(ch);
  if (special !== undefined) return special;
  const upper = ch.toUpperCase();
  // A full mapping (ß -> SS, ŉ -> ʼN) is not the simple one: keep the character.
  return [...upper].length === 1 ? upper : ch;
}

/** RFC 5051 2: the collation key, as a string of code points. */
export function casemapKey(text: string): string {
  let mapped = '';
  for (const ch of text) mapped += titlecase(ch);
  return mapped.normalize('NFD');
}

/**
 * Compares two collation keys by code point (the order of their UTF-8 octets), without
 * allocating: JavaScript compares UTF-16 units, which agrees with code points except where a
 * surrogate (a code point above U+FFFF) meets a unit at or above U+E000.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate && (xSurrogate ? y : x) >= 0xe000) return xSurrogate ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
