import { decodeText, decodeTransferEncoding, decodeWords, parseMessage, type MimePart } from '@minimail/mime';

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
  const body = decodeTransferEncoding(raw.subarray(part.bodyStart, part.bodyEnd), part.encoding);
  if (!isAttachment && type === 'text' && subtype === 'plain' && content.text === null) {
    content.text = decodeText(body, params['charset']);
  } else if (!isAttachment && type === 'text' && subtype === 'html' && content.html === null) {
    content.html = decodeText(body, params['charset']);
  } else {
    // message/rfc822 parts too: the catcher lists them, it does not open them.
    content.attachments.push({ filename, contentType: `${type}/${subtype}`, size: body.length });
  }
}
