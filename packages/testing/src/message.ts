/**
 * A caught message as a test reads it: who it was delivered to, its decoded headers, its first
 * text/plain and text/html parts (transfer encoding and charset undone, by @minimail/mime, the
 * parser IMAP uses), and the exact stored bytes.
 */
import {
  decodeText,
  decodeTransferEncoding,
  headerFields,
  parseMessage,
  type MimePart,
} from '@minimail/mime';

export interface Message {
  /** `<mailboxId>-<uid>`: stable for the message's life. */
  id: string;
  /** The address whose INBOX holds it: the envelope recipient. */
  to: string;
  uid: number;
  from: string | null;
  subject: string | null;
  /** Every header field, decoded (RFC 2047), in order. */
  headers: { name: string; value: string }[];
  text: string | null;
  html: string | null;
  /** When it was received. */
  receivedAt: Date;
  /** The stored bytes, as POP3 RETR and IMAP BODY[] serve them. */
  raw: Buffer;
}

export function readMessage(
  raw: Buffer,
  where: { id: string; to: string; uid: number; receivedAt: Date },
): Message {
  const root = parseMessage(raw);
  const headers = headerFields(raw, root).map(({ name, value }) => ({ name, value }));
  const header = (name: string): string | null =>
    headers.find((field) => field.name.toLowerCase() === name)?.value ?? null;
  const parts = { text: null as string | null, html: null as string | null };
  collect(raw, root, parts);
  return {
    ...where,
    from: header('from'),
    subject: header('subject'),
    headers,
    ...parts,
    raw,
  };
}

function collect(raw: Buffer, part: MimePart, into: { text: string | null; html: string | null }): void {
  if (part.children.length > 0) {
    for (const child of part.children) collect(raw, child, into);
    return;
  }
  const { type, subtype, params } = part.contentType;
  if (type !== 'text' || part.disposition?.type === 'attachment') return;
  const decode = (): string =>
    decodeText(
      decodeTransferEncoding(raw.subarray(part.bodyStart, part.bodyEnd), part.encoding),
      params['charset'],
    );
  if (subtype === 'plain' && into.text === null) into.text = decode();
  else if (subtype === 'html' && into.html === null) into.html = decode();
}
