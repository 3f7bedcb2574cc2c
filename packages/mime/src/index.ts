/**
 * @minimail/mime: byte-exact MIME structure for the IMAP server. Pure code: a raw message in,
 * values out; it never touches the store. See docs/adr/0006-hand-written-mime-structure.md.
 *
 * Typical use: parseMessage once when a message is stored, keep serializeStructure's JSON, and on
 * FETCH deserializeStructure it and call envelope / bodyStructure / extractSection / partial.
 */
export type {
  ContentDisposition,
  ContentType,
  Envelope,
  EnvelopeAddress,
  ImapValue,
  MimePart,
  SectionSpec,
  SectionText,
} from './types.js';
export { parseMessage } from './parse.js';
export { serializeStructure, deserializeStructure, STRUCTURE_FORMAT_VERSION } from './serialize.js';
export { envelope } from './envelope.js';
export { parseAddressList } from './address.js';
export { bodyStructure } from './bodystructure.js';
export { parseSectionSpec, extractSection, partial, resolvePart } from './section.js';
export {
  headerValues,
  headerFields,
  headerTextForSearch,
  decodeWords,
  decodeText,
  textForSearch,
} from './search.js';
export type { DecodedHeaderField } from './search.js';
export { decodeTransferEncoding, decodeBase64, decodeQuotedPrintable } from './transfer-encoding.js';
export { MAX_MIME_DEPTH, MAX_MIME_PARTS, MAX_BOUNDARY_LENGTH, MAX_ENVELOPE_ADDRESSES } from './limits.js';
