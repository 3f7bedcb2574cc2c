/**
 * Modified UTF-7 (RFC 3501 5.1.3), the encoding Maildir++ folder directories use for names that are
 * not printable ASCII (Dovecot's default). Kept here rather than shared with packages/imap: this
 * package sits below the protocol servers and must not import them.
 */

/** Decodes `&...-` runs; `&-` is `&`. Throws on a malformed run (the caller reports the folder). */
export function decodeMutf7(text: string): string {
  return text.replace(/&([^-]*)-/g, (_run, b64: string) => {
    if (b64 === '') return '&';
    if (!/^[A-Za-z0-9+,]+$/.test(b64)) throw new Error(`bad modified UTF-7 run: &${b64}-`);
    const bytes = Buffer.from(b64.replace(/,/g, '/'), 'base64');
    if (bytes.length % 2 !== 0) throw new Error(`bad modified UTF-7 run: &${b64}-`);
    let out = '';
    for (let i = 0; i < bytes.length; i += 2) out += String.fromCharCode(bytes.readUInt16BE(i));
    return out;
  });
}

/**
 * Encodes every character outside printable ASCII, plus any in `alsoEncode` (Maildir++ cannot have
 * its `.` separator inside a name part, so the writer passes '.'), as base64 of UTF-16BE.
 */
export function encodeMutf7(text: string, alsoEncode = ''): string {
  let out = '';
  let run = '';
  const flush = (): void => {
    if (run === '') return;
    const bytes = Buffer.alloc(run.length * 2);
    for (let i = 0; i < run.length; i++) bytes.writeUInt16BE(run.charCodeAt(i), i * 2);
    out += `&${bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
    run = '';
  };
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '&') {
      flush();
      out += '&-';
    } else if (code < 0x20 || code > 0x7e || alsoEncode.includes(ch)) {
      run += ch; // a code point above U+FFFF is two UTF-16 units: `ch` carries both
    } else {
      flush();
      out += ch;
    }
  }
  flush();
  return out;
}
