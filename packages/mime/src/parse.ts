/**
 * parseMessage: raw octets -> the tree of MIME entities with byte offsets. Runs once, when a
 * message is stored; FETCH reads the stored result. Never throws: malformed mail gets a sane
 * structure (see the rules in header-block.ts and multipart.ts).
 */
import { countLines } from './bytes.js';
import { defaultMessageRfc822, defaultTextPlain, readMimeHeaders } from './content-headers.js';
import { readEnvelope } from './envelope.js';
import { readHeaderBlock } from './header-block.js';
import { MAX_BOUNDARY_LENGTH, MAX_MIME_DEPTH, MAX_MIME_PARTS } from './limits.js';
import { splitMultipart } from './multipart.js';
import type { ContentType, MimePart } from './types.js';

interface ParseContext {
  raw: Buffer;
  /**
   * Entities allotted so far, against MAX_MIME_PARTS. A multipart's parts are counted when its
   * body is split (before they are parsed), so the total can never pass the limit.
   */
  entities: number;
}

function isMessageRfc822(type: ContentType): boolean {
  return type.type === 'message' && type.subtype === 'rfc822';
}

/**
 * Parses the entity in [start, end). `depth` counts the multipart and message levels above it;
 * recursion is bounded by MAX_MIME_DEPTH, so even absurd nesting cannot overflow the stack.
 */
function parseEntity(
  ctx: ParseContext,
  start: number,
  end: number,
  depth: number,
  fallback: ContentType,
  isMessage: boolean,
): MimePart {
  const { raw } = ctx;
  const header = readHeaderBlock(raw, start, end);
  const mime = readMimeHeaders(header.fields, fallback);
  const part: MimePart = {
    headerStart: start,
    headerEnd: header.end,
    bodyStart: header.end,
    bodyEnd: end,
    contentType: mime.contentType,
    disposition: mime.disposition,
    language: mime.language,
    location: mime.location,
    id: mime.id,
    description: mime.description,
    encoding: mime.encoding,
    md5: mime.md5,
    bodyLines: 0,
    children: [],
  };
  if (isMessage) part.envelope = readEnvelope(header.fields);

  const mayNest = depth < MAX_MIME_DEPTH && ctx.entities < MAX_MIME_PARTS;
  if (part.contentType.type === 'multipart') {
    const children = mayNest ? parseMultipartBody(ctx, part, depth) : [];
    // RFC 3501 7.4.2 needs at least one part in a multipart; a multipart whose boundary is
    // missing, wrong or absent from the body is served as one text part instead.
    if (children.length === 0) part.contentType = defaultTextPlain();
    else part.children = children;
  } else if (isMessageRfc822(part.contentType)) {
    if (mayNest) {
      ctx.entities++;
      part.message = parseEntity(ctx, part.bodyStart, part.bodyEnd, depth + 1, defaultTextPlain(), true);
    } else {
      part.contentType = defaultTextPlain();
    }
  }
  if (part.contentType.type === 'text' || isMessageRfc822(part.contentType)) {
    part.bodyLines = countLines(raw, part.bodyStart, part.bodyEnd);
  }
  return part;
}

function parseMultipartBody(ctx: ParseContext, part: MimePart, depth: number): MimePart[] {
  const boundary = part.contentType.params['boundary'];
  if (boundary === undefined || boundary === '' || boundary.length > MAX_BOUNDARY_LENGTH) return [];
  const ranges = splitMultipart(
    ctx.raw,
    part.bodyStart,
    part.bodyEnd,
    Buffer.from(boundary, 'utf8'),
    MAX_MIME_PARTS - ctx.entities,
  );
  ctx.entities += ranges.length;
  // RFC 2046 5.1.5: parts of a multipart/digest default to message/rfc822.
  const fallback = part.contentType.subtype === 'digest' ? defaultMessageRfc822 : defaultTextPlain;
  return ranges.map((r) => parseEntity(ctx, r.start, r.end, depth + 1, fallback(), false));
}

/** The MIME structure of a whole message. Never throws. */
export function parseMessage(raw: Buffer): MimePart {
  return parseEntity({ raw, entities: 1 }, 0, raw.length, 0, defaultTextPlain(), true);
}
