/**
 * What sendmail does to the message it reads before submitting it: line endings to CRLF (RFC 5322
 * 2.3), the end at a lone "." unless -i, with -t the recipients taken from To/Cc/Bcc and the Bcc
 * header removed, and the headers RFC 5322 3.6 requires added when missing (From, Date), plus a
 * Message-ID, as Postfix's cleanup does for locally submitted mail.
 */
import { randomBytes } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser/index.js';

export interface PreparedMessage {
  raw: Buffer;
  /** Recipients found in To, Cc and Bcc (with -t). */
  headerRecipients: string[];
}

/** Splits the header block into fields (a field with its folded continuation lines). */
function headerFields(header: string): string[] {
  const fields: string[] = [];
  for (const line of header.split('\r\n')) {
    if (/^[ \t]/.test(line) && fields.length > 0) fields[fields.length - 1] += `\r\n${line}`;
    else if (line !== '') fields.push(line);
  }
  return fields;
}

function fieldName(field: string): string {
  return field
    .slice(0, Math.max(0, field.indexOf(':')))
    .trim()
    .toLowerCase();
}

function fieldValue(field: string): string {
  return field
    .slice(field.indexOf(':') + 1)
    .replace(/\r\n[ \t]/g, ' ')
    .trim();
}

/** RFC 5322 3.3 date-time, e.g. `Fri, 04 Dec 2026 18:20:00 +0000`. */
function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

export function prepareMessage(
  input: Buffer,
  options: {
    ignoreDots: boolean;
    extractRecipients: boolean;
    sender: string;
    fullName?: string | undefined;
    hostname: string;
  },
): PreparedMessage {
  let text = input.toString('latin1').replace(/\r?\n/g, '\r\n');
  if (!options.ignoreDots) {
    // Classic sendmail: a line with only "." ends the message (and anything after it is ignored).
    const end = text.startsWith('.\r\n') || text === '.' ? 0 : text.indexOf('\r\n.\r\n');
    if (end === 0) text = '';
    else if (end > 0) text = text.slice(0, end + 2);
    else if (text.endsWith('\r\n.')) text = text.slice(0, -1);
  }
  if (!text.endsWith('\r\n')) text += '\r\n';
  const split = text.indexOf('\r\n\r\n');
  // A message that is all header (or has no header at all, when its first line is no field).
  const hasHeader = /^[!-9;-~]+:/.test(text);
  const header = !hasHeader ? '' : split < 0 ? text : text.slice(0, split + 2);
  const body = !hasHeader ? text : split < 0 ? '' : text.slice(split + 4);

  const fields = headerFields(header);
  const headerRecipients: string[] = [];
  if (options.extractRecipients) {
    for (const field of fields) {
      if (['to', 'cc', 'bcc'].includes(fieldName(field))) {
        for (const address of addressparser(fieldValue(field), { flatten: true })) {
          if (address.address) headerRecipients.push(address.address);
        }
      }
    }
  }
  const kept = options.extractRecipients ? fields.filter((field) => fieldName(field) !== 'bcc') : fields;
  const names = new Set(kept.map(fieldName));
  const added: string[] = [];
  if (!names.has('from')) {
    const name = options.fullName ? `"${options.fullName.replace(/["\\]/g, '\\$&')}" ` : '';
    added.push(`From: ${name}<${options.sender}>`);
  }
  if (!names.has('date')) added.push(`Date: ${rfc5322Date(new Date())}`);
  if (!names.has('message-id'))
    added.push(`Message-ID: <${randomBytes(12).toString('hex')}@${options.hostname}>`);
  const head = [...kept, ...added].map((field) => `${field}\r\n`).join('');
  return { raw: Buffer.from(`${head}\r\n${body}`, 'latin1'), headerRecipients };
}
