import { createHash } from 'node:crypto';
import {
  decodeText,
  decodeTransferEncoding,
  decodeWords,
  headerFields,
  parseMessage,
  textForSearch,
  headerTextForSearch,
  type EnvelopeAddress,
  type MimePart,
} from '@minimail/mime';
import type { IndexedAddress, IndexedBody } from '@minimail/store';

/** Characters of text a list row shows (Mailpit shows about 250). */
export const SNIPPET_LENGTH = 250;

/**
 * One leaf part of a message, numbered as IMAP numbers sections (RFC 3501 6.4.5: "1", "2.1"), which
 * is also how Mailpit names its PartIDs, so `/api/v1/message/{ID}/part/{PartID}` means the same
 * thing to both.
 */
export interface LeafPart {
  partId: string;
  contentType: string;
  fileName: string;
  /** Content-ID without the angle brackets, or "". */
  contentId: string;
  disposition: string | null;
  /** The decoded bytes. */
  bytes: Buffer;
  charset: string | undefined;
}

export interface MessageParts {
  root: MimePart;
  leaves: LeafPart[];
  text: string;
  html: string;
  /** Parts shown as files: a filename or an attachment disposition, not the chosen text/html. */
  attachments: LeafPart[];
  /** Parts the HTML refers to by `cid:` (RFC 2392). */
  inline: LeafPart[];
}

export function messageParts(raw: Buffer): MessageParts {
  const root = parseMessage(raw);
  const leaves: LeafPart[] = [];
  collect(raw, root, '', leaves);
  const isFile = (leaf: LeafPart): boolean => leaf.fileName !== '' || leaf.disposition === 'attachment';
  const textPart = leaves.find((leaf) => leaf.contentType === 'text/plain' && !isFile(leaf));
  const htmlPart = leaves.find((leaf) => leaf.contentType === 'text/html' && !isFile(leaf));
  const html = htmlPart === undefined ? '' : decodeText(htmlPart.bytes, htmlPart.charset);
  const inline: LeafPart[] = [];
  const attachments: LeafPart[] = [];
  for (const leaf of leaves) {
    if (leaf === textPart || leaf === htmlPart) continue;
    const referenced = leaf.contentId !== '' && html.includes(`cid:${leaf.contentId}`);
    if (referenced && leaf.disposition !== 'attachment') inline.push(leaf);
    else if (isFile(leaf) || !leaf.contentType.startsWith('text/')) attachments.push(leaf);
  }
  return {
    root,
    leaves,
    text: textPart === undefined ? '' : decodeText(textPart.bytes, textPart.charset),
    html,
    attachments,
    inline,
  };
}

function collect(raw: Buffer, part: MimePart, prefix: string, out: LeafPart[]): void {
  if (part.children.length > 0) {
    part.children.forEach((child, i) =>
      collect(raw, child, prefix === '' ? `${i + 1}` : `${prefix}.${i + 1}`, out),
    );
    return;
  }
  const { type, subtype, params } = part.contentType;
  out.push({
    // RFC 3501 6.4.5: a message that is not multipart has one part, "1".
    partId: prefix === '' ? '1' : prefix,
    contentType: `${type}/${subtype}`,
    fileName: part.disposition?.params['filename'] ?? params['name'] ?? '',
    contentId: (part.id ?? '').trim().replace(/^<|>$/g, ''),
    disposition: part.disposition?.type ?? null,
    bytes: decodeTransferEncoding(raw.subarray(part.bodyStart, part.bodyEnd), part.encoding),
    charset: params['charset'],
  });
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Header fields, decoded, as Mailpit's headers answer: name -> every value, names sorted. */
export function headerMap(raw: Buffer): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const field of headerFields(raw, { headerStart: 0, headerEnd: raw.length })) {
    (map[field.name] ??= []).push(field.value);
  }
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
}

export function addressOf(address: EnvelopeAddress): IndexedAddress {
  const mailbox = address.mailbox ?? '';
  return {
    name: address.name === null ? '' : decodeWords(address.name),
    address: address.host === null ? mailbox : `${mailbox}@${address.host}`,
  };
}

function addresses(list: EnvelopeAddress[] | null | undefined): IndexedAddress[] {
  // Group syntax (RFC 5322 3.4) shows up as entries without a host around the members: skip them.
  return (list ?? []).filter((a) => a.host !== null && a.mailbox !== null).map(addressOf);
}

/**
 * Collapses white space and cuts to `length` characters (code points). It runs on every delivery
 * (indexBody), so it looks only at as much of the text as the snippet needs: a prefix four times
 * the snippet, widened while its collapsed form is too short. Collapsing a whole body and
 * splitting it into code points cost more than the rest of the index (issue 20). A prefix whose
 * collapsed form has more than `length` code points gives the same first `length` as the whole
 * text (a cut inside a white-space run or a surrogate pair touches only the last one).
 */
export function snippetOf(text: string, length = SNIPPET_LENGTH): string {
  for (let window = Math.max(length, 1) * 4; window < text.length; window *= 4) {
    const points = [...text.slice(0, window).replace(/\s+/g, ' ').trimStart()];
    if (points.length > length) return points.slice(0, length).join('');
  }
  return [...text.replace(/\s+/g, ' ').trim()].slice(0, length).join('');
}

/**
 * What the store's search index keeps of a body (store's `indexBody` hook): addresses, subject
 * and Message-ID for the list, and every text part's decoded text for full-text search.
 */
export function indexBody(raw: Buffer): IndexedBody {
  const parts = messageParts(raw);
  const envelope = parts.root.envelope;
  const headers = headerMap(raw);
  const text = textForSearch(raw, parts.root);
  const snippetSource = parts.text !== '' ? parts.text : text;
  return {
    from: addresses(envelope?.from)[0] ?? null,
    to: addresses(envelope?.to),
    cc: addresses(envelope?.cc),
    bcc: addresses(envelope?.bcc),
    replyTo: addresses(envelope?.replyTo),
    subject: headers['Subject']?.[0] ?? '',
    messageId: (headers['Message-ID']?.[0] ?? headers['Message-Id']?.[0] ?? '').replace(/^<|>$/g, ''),
    snippet: snippetOf(snippetSource),
    attachments: parts.attachments.length,
    text,
    // What IMAP SEARCH TEXT compares besides the text (docs/adr/0036).
    headers: headerTextForSearch(raw, parts.root),
  };
}
