/**
 * RFC 5228 2.4.2.4 encoded-character: "${hex: 41 42}" and "${unicode: 263a}" inside strings.
 * A sequence that is not well formed is left as written (the RFC says so); a well-formed one with a
 * value that is not a Unicode scalar (surrogates, > 10FFFF) is an error.
 */
const ENCODED = /\$\{(hex|unicode):([\s0-9a-fA-F]*)\}/gi;

export function decodeEncodedCharacters(s: string): string {
  if (!s.includes('${')) return s;
  return s.replace(ENCODED, (whole, kind: string, body: string) => {
    const items = body.trim() === '' ? [] : body.trim().split(/[\s]+/);
    if (items.length === 0) return '';
    if (kind.toLowerCase() === 'hex') {
      const bytes = Buffer.from(items.map((h) => (h.length <= 2 ? h.padStart(2, '0') : '')).join(''), 'hex');
      if (items.some((h) => h.length > 2)) return whole;
      return bytes.toString('utf8');
    }
    let out = '';
    for (const u of items) {
      const cp = parseInt(u, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        throw new Error(`invalid unicode character ${u} in an encoded-character`);
      }
      out += String.fromCodePoint(cp);
    }
    return out;
  });
}
