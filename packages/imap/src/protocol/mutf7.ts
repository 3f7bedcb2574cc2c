/**
 * Modified UTF-7 for mailbox names (RFC 3501 5.1.3). Printable US-ASCII stands for itself, `&` is
 * `&-`, everything else is UTF-16BE in base64 with `,` for `/`, without padding, between `&` and `-`.
 */
import { ImapWireError } from './errors.js';

const FIRST_PRINTABLE = 0x20;
const LAST_PRINTABLE = 0x7e;

function isPrintableAscii(code: number): boolean {
  return code >= FIRST_PRINTABLE && code <= LAST_PRINTABLE;
}

/** Unicode mailbox name -> modified UTF-7 wire form. */
export function encodeMailboxName(name: string): string {
  let out = '';
  let pending = '';
  const flush = (): void => {
    if (pending.length === 0) return;
    out += `&${encodeRun(pending)}-`;
    pending = '';
  };
  for (let i = 0; i < name.length; i += 1) {
    const code = name.charCodeAt(i);
    if (isPrintableAscii(code)) {
      flush();
      out += code === 0x26 ? '&-' : name[i];
    } else {
      // Surrogate pairs stay together because we collect UTF-16 code units.
      pending += name[i];
    }
  }
  flush();
  return out;
}

function encodeRun(run: string): string {
  const bytes = Buffer.alloc(run.length * 2);
  for (let i = 0; i < run.length; i += 1) bytes.writeUInt16BE(run.charCodeAt(i), i * 2);
  return bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',');
}

/**
 * Modified UTF-7 wire form -> Unicode. Strict: anything that is not the one canonical encoding
 * of some name (raw 8-bit, unterminated shifts, bad base64, padding bits, lone surrogates,
 * printable ASCII inside a shift, split shifts) is rejected, so two spellings never name one box.
 */
export function decodeMailboxName(wire: string): string {
  let out = '';
  let i = 0;
  while (i < wire.length) {
    const code = wire.charCodeAt(i);
    if (!isPrintableAscii(code)) throw invalid('mailbox name must be 7-bit printable (modified UTF-7)');
    if (code !== 0x26) {
      out += wire[i];
      i += 1;
      continue;
    }
    const end = wire.indexOf('-', i + 1);
    if (end === -1) throw invalid('unterminated "&" shift in mailbox name');
    const run = wire.slice(i + 1, end);
    out += run.length === 0 ? '&' : decodeRun(run);
    i = end + 1;
  }
  if (encodeMailboxName(out) !== wire) throw invalid('non-canonical modified UTF-7 in mailbox name');
  return out;
}

function decodeRun(run: string): string {
  if (!/^[A-Za-z0-9+,]+$/.test(run)) throw invalid('invalid base64 in mailbox name');
  const bits = run.length * 6;
  // Whole UTF-16 units, and leftover bits are padding (< 6 and zero; the round-trip check
  // in decodeMailboxName rejects non-zero padding).
  if (bits % 16 >= 6) throw invalid('truncated modified UTF-7 in mailbox name');
  const bytes = Buffer.from(run.replace(/,/g, '/'), 'base64');
  const units = Math.floor(bits / 16);
  let text = '';
  for (let u = 0; u < units; u += 1) {
    const unit = bytes.readUInt16BE(u * 2);
    if (isPrintableAscii(unit)) throw invalid('printable ASCII must not be base64-encoded in mailbox name');
    text += String.fromCharCode(unit);
  }
  if (hasLoneSurrogate(text)) throw invalid('lone surrogate in mailbox name');
  return text;
}

function invalid(message: string): ImapWireError {
  return new ImapWireError('BAD_MAILBOX_NAME', `Invalid mailbox name: ${message}`, { status: 'NO' });
}

function hasLoneSurrogate(text: string): boolean {
  // A high surrogate must be followed by a low one, and a low one preceded by a high one.
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}
