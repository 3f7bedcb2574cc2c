/**
 * Content-Transfer-Encoding decoders (RFC 2045 6.7, 6.8) for SEARCH. Forgiving: invalid input
 * decodes to whatever can be recovered, never an exception.
 */
import { CR, HTAB, LF, SP } from './bytes.js';

const EQUALS = 0x3d;

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** RFC 2045 6.7: `=XX` octets and `=` soft line breaks; a malformed `=` is kept literally. */
export function decodeQuotedPrintable(input: Buffer): Buffer {
  const out = Buffer.alloc(input.length);
  let o = 0;
  const n = input.length;
  for (let i = 0; i < n; i++) {
    const c = input[i] as number;
    if (c !== EQUALS) {
      out[o++] = c;
      continue;
    }
    const high = hexValue(input[i + 1]);
    const low = hexValue(input[i + 2]);
    if (high >= 0 && low >= 0) {
      out[o++] = high * 16 + low;
      i += 2;
      continue;
    }
    // Soft line break: "=", optional transport padding, then the line break.
    let j = i + 1;
    while (j < n && (input[j] === SP || input[j] === HTAB)) j++;
    if (j >= n) {
      i = j;
    } else if (input[j] === CR && input[j + 1] === LF) {
      i = j + 1;
    } else if (input[j] === LF) {
      i = j;
    } else {
      out[o++] = c;
    }
  }
  return out.subarray(0, o);
}

/** RFC 2045 6.8: characters outside the base64 alphabet are ignored. */
export function decodeBase64(input: Buffer): Buffer {
  return Buffer.from(input.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
}

/** Decodes a body by its Content-Transfer-Encoding; identity for 7bit, 8bit, binary and unknown ones. */
export function decodeTransferEncoding(body: Buffer, encoding: string | null): Buffer {
  switch (encoding?.toLowerCase()) {
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    case 'base64':
      return decodeBase64(body);
    default:
      return body;
  }
}
