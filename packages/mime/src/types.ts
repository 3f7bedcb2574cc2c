/**
 * The values this package produces. Offsets are byte offsets into the raw message exactly as it was
 * stored, so that BODY[section] answers are byte-exact slices of it.
 */

/**
 * IMAP data value, serialized by the IMAP compiler: null -> NIL, number -> number, string -> quoted
 * string or literal (compiler decides), Buffer -> literal/quoted bytes, array -> parenthesized list.
 */
export type ImapValue = null | number | string | Buffer | ImapValue[];

export interface ContentType {
  /** Lower-cased media type, e.g. `text`. */
  type: string;
  /** Lower-cased subtype, e.g. `plain`. */
  subtype: string;
  /** Parameters by lower-cased name; RFC 2231 continuations joined and decoded to Unicode. */
  params: Record<string, string>;
}

export interface ContentDisposition {
  /** Lower-cased disposition type, e.g. `attachment`. */
  type: string;
  /** Parameters by lower-cased name; RFC 2231 continuations joined and decoded to Unicode. */
  params: Record<string, string>;
}

/**
 * One address of an ENVELOPE address list (RFC 3501 7.4.2). Strings are "byte strings": each
 * character is one octet of the raw header (latin1), because ENVELOPE strings are sent undecoded.
 * A group start has `mailbox` = group name and `host` null; a group end has all four null.
 */
export interface EnvelopeAddress {
  name: string | null;
  adl: string | null;
  mailbox: string | null;
  host: string | null;
}

/** RFC 3501 7.4.2 ENVELOPE fields, raw (undecoded) byte strings, null when the header is absent. */
export interface Envelope {
  date: string | null;
  subject: string | null;
  from: EnvelopeAddress[] | null;
  sender: EnvelopeAddress[] | null;
  replyTo: EnvelopeAddress[] | null;
  to: EnvelopeAddress[] | null;
  cc: EnvelopeAddress[] | null;
  bcc: EnvelopeAddress[] | null;
  inReplyTo: string | null;
  messageId: string | null;
}

/** One MIME entity: a whole message, a part of a multipart, or the message inside message/rfc822. */
export interface MimePart {
  /** First octet of the entity (its header). */
  headerStart: number;
  /** End of the header block, including the blank line that ends it (if there is one). */
  headerEnd: number;
  /** First octet of the body; equals headerEnd. */
  bodyStart: number;
  /** End of the body; for a part of a multipart it excludes the line break before the next boundary. */
  bodyEnd: number;
  /** Lower-cased type/subtype with RFC 2045 5.2 and RFC 2046 5.1.5 defaults applied. */
  contentType: ContentType;
  disposition: ContentDisposition | null;
  /** Content-Language tags (RFC 3282), or null when absent. */
  language: string[] | null;
  /** Content-Location (RFC 2557), raw. */
  location: string | null;
  /** Content-ID, raw. */
  id: string | null;
  /** Content-Description, raw (undecoded). */
  description: string | null;
  /** Content-Transfer-Encoding as written (trimmed), or null when absent (RFC 2045 6.1: 7bit). */
  encoding: string | null;
  /** Content-MD5, raw. */
  md5: string | null;
  /** Number of LF octets in the body, the line count BODYSTRUCTURE reports (as Dovecot counts). */
  bodyLines: number;
  /** The parts of a multipart, in order. Empty for every other entity. */
  children: MimePart[];
  /** The embedded message of a message/rfc822 part (offsets relative to the WHOLE raw message). */
  message?: MimePart;
  /** ENVELOPE of a message entity: the root and every `message` of a message/rfc822 part. */
  envelope?: Envelope;
}

/** What follows the part number in a section specifier (RFC 3501 6.4.5). */
export type SectionText = 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';

/**
 * A parsed BODY[section] specifier. `part` is the dotted part number ([] for the whole message),
 * `text` the optional text specifier, `fields` the header names of HEADER.FIELDS[.NOT] (as given).
 */
export interface SectionSpec {
  part: number[];
  text: SectionText | null;
  fields: string[];
}
