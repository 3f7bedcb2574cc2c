/**
 * RFC 3501 7.4.2 ENVELOPE: read once from a message header, turned into an IMAP value on FETCH.
 */
import { parseAddressList } from './address.js';
import { imapString } from './imap-string.js';
import { fieldValue, firstField, readHeaderBlock, type HeaderField } from './header-block.js';
import type { Envelope, EnvelopeAddress, ImapValue, MimePart } from './types.js';

function rawValue(fields: readonly HeaderField[], key: string): string | null {
  const field = firstField(fields, key);
  return field === undefined ? null : fieldValue(field);
}

function addresses(fields: readonly HeaderField[], key: string): EnvelopeAddress[] | null {
  const value = rawValue(fields, key);
  if (value === null) return null;
  const list = parseAddressList(value);
  return list.length === 0 ? null : list;
}

/** Reads the ENVELOPE fields of a message header. The first field of each name counts. */
export function readEnvelope(fields: readonly HeaderField[]): Envelope {
  const from = addresses(fields, 'from');
  return {
    date: rawValue(fields, 'date'),
    subject: rawValue(fields, 'subject'),
    from,
    // RFC 3501 7.4.2: "If the Sender or Reply-To lines are absent in the [RFC-2822] header, or
    // are present but empty, the server sets the corresponding member of the envelope to be
    // the same value as the from member".
    sender: addresses(fields, 'sender') ?? from,
    replyTo: addresses(fields, 'reply-to') ?? from,
    to: addresses(fields, 'to'),
    cc: addresses(fields, 'cc'),
    bcc: addresses(fields, 'bcc'),
    inReplyTo: rawValue(fields, 'in-reply-to'),
    messageId: rawValue(fields, 'message-id'),
  };
}

function addressList(list: EnvelopeAddress[] | null): ImapValue {
  if (list === null) return null;
  return list.map((a) => [imapString(a.name), imapString(a.adl), imapString(a.mailbox), imapString(a.host)]);
}

/** The ENVELOPE value of a stored Envelope, in RFC 3501 7.4.2 order. */
export function envelopeValue(e: Envelope): ImapValue {
  return [
    imapString(e.date),
    imapString(e.subject),
    addressList(e.from),
    addressList(e.sender),
    addressList(e.replyTo),
    addressList(e.to),
    addressList(e.cc),
    addressList(e.bcc),
    imapString(e.inReplyTo),
    imapString(e.messageId),
  ];
}

/**
 * RFC 3501 7.4.2 ENVELOPE of a message entity: the root, a message/rfc822 part (its embedded
 * message), or an embedded message itself. Uses the envelope stored at parse time when there is one.
 */
export function envelope(raw: Buffer, part: MimePart): ImapValue {
  // The root (even a root whose own type is message/rfc822) has its envelope on itself; a
  // message/rfc822 part inside a multipart has it on its embedded message.
  const stored = part.envelope ?? part.message?.envelope;
  if (stored !== undefined) return envelopeValue(stored);
  const target = part.envelope === undefined && part.message !== undefined ? part.message : part;
  const header = readHeaderBlock(raw, target.headerStart, target.headerEnd);
  return envelopeValue(readEnvelope(header.fields));
}
