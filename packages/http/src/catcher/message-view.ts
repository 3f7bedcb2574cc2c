import {
  decodeText,
  decodeTransferEncoding,
  headerFields,
  parseMessage,
  type DecodedHeaderField,
  type MimePart,
} from '@minimail/mime';

/**
 * What the dev mail catcher shows of a stored message: its header fields decoded (RFC 2047), the
 * first text/plain and text/html parts with transfer encoding (RFC 2045 6) and charset undone,
 * and the other leaf parts as attachments. The MIME tree comes from @minimail/mime, the same
 * parser IMAP uses, so the catcher and IMAP clients see the same structure.
 */
export type HeaderField = DecodedHeaderField;

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

/** The fields of the message's top header, decoded. The list needs no MIME parse for them. */
export function readHeaders(raw: Buffer): HeaderField[] {
  return headerFields(raw, { headerStart: 0, headerEnd: raw.length });
}

/** The first value of a header field (case-insensitive), or null. */
export function headerValue(headers: readonly HeaderField[], name: string): string | null {
  const key = name.toLowerCase();
  return headers.find((field) => field.name.toLowerCase() === key)?.value ?? null;
}

export function messageContent(raw: Buffer): MessageContent {
  const root = parseMessage(raw);
  const content: MessageContent = {
    headers: headerFields(raw, root),
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
