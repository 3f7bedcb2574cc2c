/**
 * Reads the MIME header fields of one entity (RFC 2045, 2183, 3282, 2557) into the values
 * BODYSTRUCTURE reports. The common parameter syntax is read by header-params.ts; the rest
 * (comments, escapes, RFC 2231 continuations and charsets) by libmime, loaded when first needed.
 */
import { byteStringToText } from './bytes.js';
import { fieldValue, firstField, type HeaderField } from './header-block.js';
import { parseSimpleParameterized } from './header-params.js';
import { libmime } from './libmime-lazy.js';
import type { ContentDisposition, ContentType, MimePart } from './types.js';

/** RFC 2045 5.2: no (or an unreadable) Content-Type means text/plain; charset=us-ascii. */
export function defaultTextPlain(): ContentType {
  return { type: 'text', subtype: 'plain', params: { charset: 'us-ascii' } };
}

/** RFC 2046 5.1.5: in a multipart/digest the default part type is message/rfc822. */
export function defaultMessageRfc822(): ContentType {
  return { type: 'message', subtype: 'rfc822', params: {} };
}

/** RFC 2045 5.1 token: any US-ASCII except SPACE, CTLs and tspecials. */
const TOKEN = /^[!#$%&'*+\-.^_`{|}~0-9a-z]+$/;

/** The MIME fields of one entity, as MimePart holds them (its documentation says what each is). */
export type MimeHeaders = Pick<
  MimePart,
  'contentType' | 'disposition' | 'language' | 'location' | 'id' | 'description' | 'encoding' | 'md5'
>;

function parseParameterized(field: HeaderField): { value: string; params: Record<string, string> } {
  const text = byteStringToText(fieldValue(field));
  const simple = parseSimpleParameterized(text);
  const parsed = simple ?? libmime().parseHeaderValue(text, { stripComments: true });
  const entries = simple === null ? Object.entries(parsed.params) : simple.params;
  const params: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (typeof value === 'string') params[name] = value;
  }
  return { value: parsed.value.trim().toLowerCase(), params };
}

function parseContentType(field: HeaderField | undefined): ContentType | null {
  if (field === undefined) return null;
  const { value, params } = parseParameterized(field);
  const slash = value.indexOf('/');
  if (slash === -1) return null;
  const type = value.slice(0, slash).trim();
  const subtype = value.slice(slash + 1).trim();
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return null;
  // RFC 2046 4.1.2: without a charset parameter, text is US-ASCII. Made explicit (first, as
  // Dovecot writes it) so BODYSTRUCTURE tells clients what to assume.
  if (type === 'text' && params['charset'] === undefined)
    return { type, subtype, params: { charset: 'us-ascii', ...params } };
  return { type, subtype, params };
}

function optionalValue(fields: readonly HeaderField[], key: string): string | null {
  const field = firstField(fields, key);
  if (field === undefined) return null;
  return fieldValue(field);
}

/** Reads the MIME fields; `fallback` is the type to use when Content-Type is absent or unreadable. */
export function readMimeHeaders(fields: readonly HeaderField[], fallback: ContentType): MimeHeaders {
  const declared = parseContentType(firstField(fields, 'content-type'));
  const dispositionField = firstField(fields, 'content-disposition');
  let disposition: ContentDisposition | null = null;
  if (dispositionField !== undefined) {
    const { value, params } = parseParameterized(dispositionField);
    if (value !== '') disposition = { type: value, params };
  }
  const languageValue = optionalValue(fields, 'content-language');
  const language =
    languageValue === null
      ? null
      : languageValue
          .split(',')
          .map((tag) => tag.trim())
          .filter((tag) => tag !== '');
  const encoding = optionalValue(fields, 'content-transfer-encoding');
  return {
    contentType: declared ?? fallback,
    disposition,
    language: language === null || language.length === 0 ? null : language,
    location: optionalValue(fields, 'content-location'),
    id: optionalValue(fields, 'content-id'),
    description: optionalValue(fields, 'content-description'),
    encoding: encoding === '' ? null : encoding,
    md5: optionalValue(fields, 'content-md5'),
  };
}
