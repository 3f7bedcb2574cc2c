/**
 * Line endings between the formats: the store keeps every message with CRLF (what IMAP and POP3
 * serve, RFC 5322 2.1); mbox and Maildir files conventionally hold LF only (Dovecot, Postfix and
 * mutt write them so). Conversions are exact inverses on messages whose lines all end in CRLF,
 * which is what `toCrlf` produces, so import -> export -> re-import keeps the same bytes.
 */

const CR = 0x0d;
const LF = 0x0a;

/** Every bare LF becomes CRLF; existing CRLF and lone CR are left as they are. */
export function toCrlf(input: Buffer): Buffer {
  let bare = 0;
  for (let i = 0; i < input.length; i++) if (input[i] === LF && (i === 0 || input[i - 1] !== CR)) bare++;
  if (bare === 0) return input;
  const out = Buffer.allocUnsafe(input.length + bare);
  let o = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    if (byte === LF && (i === 0 || input[i - 1] !== CR)) out[o++] = CR;
    out[o++] = byte;
  }
  return out;
}

/** Every CRLF becomes LF; a lone CR is kept. */
export function toLf(input: Buffer): Buffer {
  let pairs = 0;
  for (let i = 0; i + 1 < input.length; i++) if (input[i] === CR && input[i + 1] === LF) pairs++;
  if (pairs === 0) return input;
  const out = Buffer.allocUnsafe(input.length - pairs);
  let o = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] === CR && input[i + 1] === LF) continue;
    out[o++] = input[i]!;
  }
  return out;
}
