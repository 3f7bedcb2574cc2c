/**
 * RFC 3501 6.4.5 BODY[section]<partial>: section specifiers, part numbering and byte-exact
 * extraction from the raw message using the stored structure.
 */
import { LF } from './bytes.js';
import { readHeaderBlock } from './header-block.js';
import type { MimePart, SectionSpec, SectionText } from './types.js';

const CRLF = Buffer.from('\r\n');

/** Text specifiers allowed after a part number, and (all but MIME) without one. */
const MESSAGE_TEXTS: ReadonlySet<string> = new Set(['HEADER', 'TEXT']);

/**
 * Parses a section specifier as it appears between the brackets of BODY[...], e.g. ``,
 * `1.2`, `TEXT`, `2.MIME`, `1.HEADER.FIELDS (To "From")`. Null when it is not RFC 3501 syntax.
 * The IMAP parser may instead build a SectionSpec itself and call extractSection directly.
 */
export function parseSectionSpec(spec: string): SectionSpec | null {
  const part: number[] = [];
  let rest = spec;
  // RFC 3501 9: section-part = nz-number *("." nz-number)
  for (;;) {
    const m = /^([1-9][0-9]{0,9})(\.|$)/.exec(rest);
    if (m === null) break;
    part.push(Number(m[1]));
    rest = rest.slice(m[0].length);
    if (m[2] === '') break;
    if (rest === '') return null; // trailing dot
  }
  const upper = rest.toUpperCase();
  if (upper === '') return { part, text: null, fields: [] };
  if (MESSAGE_TEXTS.has(upper)) return { part, text: upper as SectionText, fields: [] };
  if (upper === 'MIME') return part.length > 0 ? { part, text: 'MIME', fields: [] } : null;
  const fieldsMatch = /^HEADER\.FIELDS(\.NOT)? \((.*)\)$/s.exec(upper);
  if (fieldsMatch === null) return null;
  // Take the names from the original (not upper-cased) text; matching is case-insensitive anyway.
  const list = rest.slice(rest.indexOf('(') + 1, rest.lastIndexOf(')'));
  const fields = parseHeaderList(list);
  if (fields === null || fields.length === 0) return null;
  return { part, text: fieldsMatch[1] === undefined ? 'HEADER.FIELDS' : 'HEADER.FIELDS.NOT', fields };
}

/** RFC 3501 header-list contents: astrings (atoms or quoted strings) separated by spaces. */
function parseHeaderList(list: string): string[] | null {
  const fields: string[] = [];
  for (const m of list.matchAll(/"((?:[^"\\]|\\.)*)"|([^\s"()]+)|(\S)/g)) {
    if (m[3] !== undefined) return null; // a stray quote or parenthesis
    fields.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] as string));
  }
  return fields;
}

/**
 * The entity a part number names (RFC 3501 6.4.5): the parts of a multipart are numbered from 1;
 * a non-multipart message (the root or one inside message/rfc822) has only part 1, its body;
 * after a message/rfc822 part, numbers continue inside its embedded message.
 */
export function resolvePart(root: MimePart, path: readonly number[]): MimePart | null {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const num = path[i] as number;
    let container: MimePart;
    if (i === 0) container = root;
    else if (node.message !== undefined) container = node.message;
    else if (node.children.length > 0) container = node;
    else return null;
    if (container.children.length > 0) {
      const child = container.children[num - 1];
      if (child === undefined) return null;
      node = child;
    } else if (num === 1) {
      node = container;
    } else {
      return null;
    }
  }
  return node;
}

function headerFields(raw: Buffer, message: MimePart, names: readonly string[], exclude: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const { fields } = readHeaderBlock(raw, message.headerStart, message.headerEnd);
  const chunks: Buffer[] = [];
  for (const field of fields) {
    if (wanted.has(field.key) === exclude) continue;
    chunks.push(raw.subarray(field.start, field.end));
    // A last field without a line break (no body at all) still gets one before the blank line.
    if (raw[field.end - 1] !== LF) chunks.push(CRLF);
  }
  // RFC 3501 6.4.5: the result ends with the blank line that ends a header.
  chunks.push(CRLF);
  return Buffer.concat(chunks);
}

/** The message-level texts (HEADER, HEADER.FIELDS[.NOT], TEXT) of a message entity. */
function messageText(raw: Buffer, message: MimePart, section: SectionSpec): Buffer | null {
  switch (section.text) {
    case 'HEADER':
      return raw.subarray(message.headerStart, message.headerEnd);
    case 'TEXT':
      return raw.subarray(message.bodyStart, message.bodyEnd);
    case 'HEADER.FIELDS':
      return headerFields(raw, message, section.fields, false);
    case 'HEADER.FIELDS.NOT':
      return headerFields(raw, message, section.fields, true);
    default:
      return null;
  }
}

/**
 * RFC 3501 6.4.5 BODY[section]: the octets of a section, or null when the section does not exist
 * (no such part, or HEADER/TEXT of a part that is not message/rfc822). The result is a view into
 * `raw` except for HEADER.FIELDS[.NOT], which is assembled.
 */
export function extractSection(raw: Buffer, root: MimePart, section: SectionSpec): Buffer | null {
  if (section.part.length === 0) {
    if (section.text === null) return raw.subarray(root.headerStart, root.bodyEnd);
    return messageText(raw, root, section);
  }
  const node = resolvePart(root, section.part);
  if (node === null) return null;
  switch (section.text) {
    case null:
      return raw.subarray(node.bodyStart, node.bodyEnd);
    case 'MIME':
      return raw.subarray(node.headerStart, node.headerEnd);
    default:
      // RFC 3501 6.4.5: HEADER, HEADER.FIELDS and TEXT after a part number apply to a
      // message/rfc822 part, i.e. to its embedded message.
      return node.message === undefined ? null : messageText(raw, node.message, section);
  }
}

/**
 * RFC 3501 6.4.5 <offset.length>: the octets from `offset`, at most `length` of them. An offset
 * past the end gives an empty string, as the RFC requires.
 */
export function partial(data: Buffer, offset: number, length?: number): Buffer {
  const start = Math.min(Math.max(0, offset), data.length);
  const end = length === undefined ? data.length : Math.min(data.length, start + Math.max(0, length));
  return data.subarray(start, end);
}
