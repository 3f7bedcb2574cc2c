/**
 * RFC 3501 7.4.2 BODY and BODYSTRUCTURE from a stored structure. BODY is the non-extensible
 * form; BODYSTRUCTURE adds the extension data (md5 / params, disposition, language, location).
 */
import { envelope } from './envelope.js';
import { imapString, imapText } from './imap-string.js';
import { isAscii } from './bytes.js';
import type { ContentDisposition, ImapValue, MimePart } from './types.js';

/** RFC 2045 6.1: an absent Content-Transfer-Encoding means 7bit. */
const DEFAULT_ENCODING = '7bit';

/**
 * RFC 3501 body-fld-param: ("name" "value" ...) or NIL. Parameters were decoded to Unicode when
 * parsed (RFC 2231 continuations joined); a non-ASCII value goes back out RFC 2231-encoded as
 * `name*` = `utf-8''<percent-encoded>`, so the list stays 7-bit and clients that know RFC 2231
 * (all common ones do) recover the text.
 */
function paramList(params: Record<string, string>): ImapValue {
  const list: ImapValue[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (isAscii(value)) list.push(imapText(name), value);
    else list.push(imapText(`${name}*`), `utf-8''${encodeURIComponent(value)}`);
  }
  return list.length === 0 ? null : list;
}

function dispositionValue(d: ContentDisposition | null): ImapValue {
  return d === null ? null : [imapText(d.type), paramList(d.params)];
}

/** RFC 3501 body-fld-lang: nstring or a list of strings. */
function languageValue(language: string[] | null): ImapValue {
  if (language === null) return null;
  return language.length === 1 ? (language[0] as string) : language;
}

function singlePart(raw: Buffer, part: MimePart, extended: boolean): ImapValue[] {
  const { type, subtype, params } = part.contentType;
  const value: ImapValue[] = [
    type,
    subtype,
    paramList(params),
    imapString(part.id),
    imapString(part.description),
    imapString(part.encoding ?? DEFAULT_ENCODING),
    part.bodyEnd - part.bodyStart,
  ];
  if (type === 'message' && subtype === 'rfc822' && part.message !== undefined) {
    // RFC 3501 7.4.2: message/rfc822 adds the envelope, body structure and line count of the
    // encapsulated message.
    value.push(envelope(raw, part), bodyStructure(raw, part.message, extended), part.bodyLines);
  } else if (type === 'text') {
    value.push(part.bodyLines);
  }
  if (extended) {
    value.push(
      imapString(part.md5),
      dispositionValue(part.disposition),
      languageValue(part.language),
      imapString(part.location),
    );
  }
  return value;
}

function multiPart(raw: Buffer, part: MimePart, extended: boolean): ImapValue[] {
  // Note for the compiler: RFC 3501 body-type-mpart is `1*body SP media-subtype`, so the child
  // lists are written back to back with no space between them.
  const value: ImapValue[] = part.children.map((child) => bodyStructure(raw, child, extended));
  value.push(part.contentType.subtype);
  if (extended) {
    value.push(
      paramList(part.contentType.params),
      dispositionValue(part.disposition),
      languageValue(part.language),
      imapString(part.location),
    );
  }
  return value;
}

/** RFC 3501 7.4.2: BODY (`extended` false) or BODYSTRUCTURE (`extended` true) of an entity. */
export function bodyStructure(raw: Buffer, part: MimePart, extended: boolean): ImapValue {
  return part.children.length > 0 ? multiPart(raw, part, extended) : singlePart(raw, part, extended);
}
