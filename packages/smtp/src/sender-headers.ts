import addressparser from 'nodemailer/lib/addressparser';

/** The header section is read at most this far: a header block past it is not looked into. */
const MAX_HEADER_BYTES = 256 * 1024;

/**
 * The addresses of every `From:` and `Sender:` field of a message (RFC 5322 3.6.2), lower-cased.
 * Submission checks them against the authenticated user's addresses (RFC 6409 6.1 lets the MSA
 * enforce the originator fields as it does the envelope): a user must not put someone else's
 * address where the recipient reads who wrote the mail.
 */
export function originatorAddresses(message: Buffer): string[] {
  const limit = Math.min(message.length, MAX_HEADER_BYTES);
  const blank = message.subarray(0, limit).indexOf('\r\n\r\n');
  const header = message.subarray(0, blank === -1 ? limit : blank + 2).toString('utf8');
  // RFC 5322 2.2.3: a line starting with white space continues the field before it.
  const unfolded = header.replace(/\r\n(?=[ \t])/g, '');
  const addresses: string[] = [];
  for (const line of unfolded.split('\r\n')) {
    const match = /^(from|sender)[ \t]*:(.*)$/i.exec(line);
    if (!match) continue;
    for (const parsed of addressparser(match[2] ?? '', { flatten: true })) {
      // An empty group ("undisclosed-recipients:;") names nobody.
      if (parsed.address !== '') addresses.push(parsed.address.toLowerCase());
      else if (parsed.name !== '') addresses.push(parsed.name.toLowerCase());
    }
  }
  return addresses;
}
