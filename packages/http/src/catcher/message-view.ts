import { decodeWords, parseMessage, type MimePart } from '@minimail/mime';

/**
 * What the dev mail catcher shows of a stored message: its header fields decoded (RFC 2047), the
 * first text/plain and text/html parts with transfer encoding (RFC 2045 6) and charset undone,
 * and the other leaf parts as attachments. The MIME tree comes from @minimail/mime, the same
 * parser IMAP uses, so the catcher and IMAP clients see the same structure.
 */
export interface HeaderField {
  name: string;
  value: string;
}

export interface AttachmentInfo {
  filename: string | null;
  contentType: string;
  /** Decoded size in octets. */
  size: number;
}

export interface MessageContent {
  headers: HeaderField[];
  text: string | null;
  html: string | null;
  attachments: AttachmentInfo[];
}

/**
 * The header fields of the message (or of the header block from `start` to `end`), in order,
 * unfolded and decoded. Without a range only the top header is read: the list needs no MIME parse.
 */
export function readHeaders(raw: Buffer, start = 0, end = topHeaderEnd(raw)): HeaderField[] {
  // RFC 5322 2.2.3: unfold by removing each CRLF that is followed by white space.
  const block = raw
    .subarray(start, end)
    .toString('utf8')
    .replace(/\r?\n(?=[ \t])/g, '');
  const fields: HeaderField[] = [];
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.push({ name: line.slice(0, colon).trim(), value: decodeWords(line.slice(colon + 1).trim()) });
  }
  return fields;
}

/** RFC 5322 2.1: the header ends at the first empty line (or with the message). */
function topHeaderEnd(raw: Buffer): number {
  const blank = raw.indexOf('\r\n\r\n');
  return blank === -1 ? raw.length : blank + 2;
}

/** The first value of a header field (case-insensitive), or null. */
export function headerValue(headers: readonly HeaderField[], name: string): string | null {
  const key = name.toLowerCase();
  return headers.find((field) => field.name.toLowerCase() === key)?.value ?? null;
}

export function messageContent(raw: Buffer): MessageContent {
  const root = parseMessage(raw);
  const content: MessageContent = {
    headers: readHeaders(raw, root.headerStart, root.headerEnd),
    text: null,
    html: null,
    attachments: [],
  };
  collectParts(raw, root, content);
  return content;
}

function collectParts(raw: Buffer, part: MimePart, content: MessageContent): void {
  if (part.children.length > 0) {
    for (const child of part.children) collectParts(raw, child, content);
    return;
  }
  const { type, subtype, params } = part.contentType;
  const filename = part.disposition?.params['filename'] ?? params['name'] ?? null;
  const isAttachment = part.disposition?.type === 'attachment' || filename !== null;
  const body = decodeTransfer(raw.subarray(part.bodyStart, part.bodyEnd), part.encoding);
  if (!isAttachment && type === 'text' && subtype === 'plain' && content.text === null) {
    content.text = decodeCharset(body, params['charset']);
  } else if (!isAttachment && type === 'text' && subtype === 'html' && content.html === null) {
    content.html = decodeCharset(body, params['charset']);
  } else {
    // message/rfc822 parts too: the catcher lists them, it does not open them.
    content.attachments.push({ filename, contentType: `${type}/${subtype}`, size: body.length });
  }
}

/** RFC 2045 6: base64 and quoted-printable decoded; 7bit, 8bit and binary are the octets as they are. */
export function decodeTransfer(body: Buffer, encoding: string | null): Buffer {
  switch (encoding?.trim().toLowerCase()) {
    case 'base64':
      // RFC 2045 6.8: characters outside the alphabet are ignored.
      return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return body;
  }
}

/** RFC 2045 6.7: `=XX` is an octet, `=` at the end of a line is a soft line break. */
function decodeQuotedPrintable(body: Buffer): Buffer {
  const text = body
    .toString('latin1')
    .replace(/[ \t]+(?=\r?\n)/g, '')
    .replace(/=\r?\n/g, '');
  const out = Buffer.alloc(text.length);
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '=' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out[length++] = parseInt(hex, 16);
      i += 2;
    } else {
      out[length++] = text.charCodeAt(i) & 0xff;
    }
  }
  return out.subarray(0, length);
}

/** Text in its declared charset (WHATWG labels through TextDecoder); unknown labels read as UTF-8. */
function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset?.trim() || 'utf-8').decode(bytes);
  } catch {
    // RangeError: a label TextDecoder does not know. UTF-8 shows most of such text correctly.
    return new TextDecoder('utf-8').decode(bytes);
  }
}
