/**
 * RFC 8970 PREVIEW: a short plain-text rendering of a message for a list view. Generated from
 * the first text part a reader would see (text/plain preferred, else text/html with its tags
 * removed), decoded from its transfer encoding and charset, whitespace folded, and cut at
 * PREVIEW_MAX_CHARACTERS characters (3.1: "no more than 256 characters"), never inside a
 * surrogate pair. A message with no such text has the empty preview (3.1: not NIL).
 */
import { decodeText, decodeTransferEncoding, type MimePart } from '@minimail/mime';

/** RFC 8970 3.1: the preview MUST NOT be longer than 256 characters. */
export const PREVIEW_MAX_CHARACTERS = 256;

/**
 * Octets of a part read to build its preview: enough for 256 characters of any text, even
 * base64 of UTF-8 wrapped in HTML markup, without decoding a whole large part.
 */
const PREVIEW_SOURCE_BYTES = 64 * 1024;

export function previewText(raw: Buffer, root: MimePart): string {
  const part = previewPart(root);
  if (part === null) return '';
  const end = Math.min(part.bodyEnd, part.bodyStart + PREVIEW_SOURCE_BYTES);
  const decoded = decodeTransferEncoding(raw.subarray(part.bodyStart, end), part.encoding);
  let text = decodeText(decoded, part.contentType.params['charset']);
  if (part.contentType.subtype === 'html') text = htmlToText(text);
  return truncate(text.replace(/\s+/g, ' ').trim(), PREVIEW_MAX_CHARACTERS);
}

/** The first inline text/plain part, else the first inline text/html part (depth first, in order). */
function previewPart(root: MimePart): MimePart | null {
  let html: MimePart | null = null;
  const stack: MimePart[] = [root];
  while (stack.length > 0) {
    const part = stack.pop() as MimePart;
    if (part.children.length > 0) {
      for (let i = part.children.length - 1; i >= 0; i--) stack.push(part.children[i] as MimePart);
      continue;
    }
    // An attached message or file is not what the message says.
    if (part.message !== undefined || part.disposition?.type === 'attachment') continue;
    if (part.contentType.type !== 'text') continue;
    if (part.contentType.subtype === 'plain') return part;
    if (part.contentType.subtype === 'html') html ??= part;
  }
  return html;
}

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#(\d{1,6});/g, (_m, code: string) => String.fromCodePoint(Math.min(Number(code), 0x10ffff)))
    .replace(/&amp;/gi, '&');
}

/** At most `max` characters (code points), so a surrogate pair is never split. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return Array.from(text).slice(0, max).join('');
}
