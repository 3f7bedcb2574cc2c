/**
 * The common shape of a parameterized MIME field (RFC 2045 5.1, RFC 2183 2), read without libmime:
 * `type/subtype; name=token; name="quoted string"; flag`. Anything else (comments, backslash
 * escapes, RFC 2231 `name*` parameters, a quote in the value or a name with white space in it)
 * returns null, and the caller hands the field to libmime, which handles every case. Where this
 * reader answers, it answers exactly as libmime.parseHeaderValue (header-params.test.ts checks that
 * over generated and corpus values), so which reader ran never shows in a BODYSTRUCTURE.
 */

/** The field's value and its parameters in order of first appearance, names lower-cased. */
export interface SimpleParameterized {
  value: string;
  params: [name: string, value: string][];
}

/** What libmime counts as white space around values and names (more than RFC 5322 WSP). */
const WHITE_SPACE = /^[ \t\r\n\f\v]*$/;
/**
 * Characters that need libmime: comments, escapes and RFC 2231 `*` (RFC 2231 3, 4). Quotes do not:
 * splitParameters and PARAMETER read a quoted string without escapes.
 */
const NEEDS_LIBMIME = /[()\\*]/;
/** The value before the first `;`: anything but a quote (libmime strips quotes there). */
const LEADING_VALUE = /^[ \t\r\n\f\v]*([^";]*?)[ \t\r\n\f\v]*$/;
/** `name=token` or `name="quoted"` (RFC 2045 5.1), white space around the parts. */
const PARAMETER =
  /^[ \t\r\n\f\v]*([^\s"=;]+)[ \t\r\n\f\v]*=[ \t\r\n\f\v]*(?:"([^"]*)"|([^\s";]*))[ \t\r\n\f\v]*$/;
/** A parameter name with no value (`attachment; inline`): libmime gives it the empty string. */
const FLAG = /^[ \t\r\n\f\v]*([^\s"=;]+)[ \t\r\n\f\v]*$/;

/**
 * Splits `text` at the semicolons outside quoted strings, or returns null when a quote is left
 * open (libmime then reads the rest of the field as that quoted string).
 */
function splitParameters(text: string): string[] | null {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (c === 0x3b && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) return null;
  parts.push(text.slice(start));
  return parts;
}

/** The field read as libmime would read it, or null when it needs libmime. */
export function parseSimpleParameterized(text: string): SimpleParameterized | null {
  if (NEEDS_LIBMIME.test(text)) return null;
  const parts = splitParameters(text);
  if (parts === null) return null;
  const leading = LEADING_VALUE.exec(parts[0] ?? '');
  if (leading === null) return null;
  const seen = new Set<string>();
  const params: [string, string][] = [];
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (WHITE_SPACE.test(part)) continue; // `a;;b` or a trailing `;`: nothing to record
    const parameter = PARAMETER.exec(part);
    const flag = parameter === null ? FLAG.exec(part) : null;
    if (parameter === null && flag === null) return null;
    const name = (parameter?.[1] ?? flag?.[1] ?? '').toLowerCase();
    // The first occurrence wins, as libmime (and Python, postal-mime) read a repeated parameter.
    if (seen.has(name)) continue;
    seen.add(name);
    params.push([name, parameter === null ? '' : (parameter[2] ?? parameter[3] ?? '')]);
  }
  return { value: leading[1] ?? '', params };
}
