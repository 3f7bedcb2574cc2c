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

/**
 * What libmime counts as white space around values and names (more than RFC 5322 WSP): space and
 * \t \n \v \f \r (0x09 to 0x0d). Stripped by trimSpace before any pattern runs, so no pattern has
 * two white-space runs that can share the same characters: with them, a long run of spaces before
 * a character that does not fit took quadratic time to reject (40,000 spaces: over a second).
 */
function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** `text` without libmime's white space at either end (String.trim strips more, e.g. U+00A0). */
function trimSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/**
 * Characters that need libmime: comments, escapes and RFC 2231 `*` (RFC 2231 3, 4). Quotes do not:
 * splitParameters and PARAMETER read a quoted string without escapes.
 */
const NEEDS_LIBMIME = /[()\\*]/;
/** A trimmed `name=token` or `name="quoted"` (RFC 2045 5.1), white space around the `=`. */
const PARAMETER = /^([^\s"=;]+)[ \t\r\n\f\v]*=[ \t\r\n\f\v]*(?:"([^"]*)"|([^\s";]*))$/;
/** A trimmed parameter name with no value (`attachment; inline`): libmime gives it the empty string. */
const FLAG = /^([^\s"=;]+)$/;

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
  // The value before the first `;`: anything but a quote (libmime strips quotes there).
  const leading = parts[0] ?? '';
  if (leading.includes('"')) return null;
  const seen = new Set<string>();
  const params: [string, string][] = [];
  for (let i = 1; i < parts.length; i++) {
    const part = trimSpace(parts[i] ?? '');
    if (part === '') continue; // `a;;b` or a trailing `;`: nothing to record
    const parameter = PARAMETER.exec(part);
    const flag = parameter === null ? FLAG.exec(part) : null;
    if (parameter === null && flag === null) return null;
    const name = (parameter?.[1] ?? flag?.[1] ?? '').toLowerCase();
    // The first occurrence wins, as libmime (and Python, postal-mime) read a repeated parameter.
    if (seen.has(name)) continue;
    seen.add(name);
    params.push([name, parameter === null ? '' : (parameter[2] ?? parameter[3] ?? '')]);
  }
  return { value: trimSpace(leading), params };
}
