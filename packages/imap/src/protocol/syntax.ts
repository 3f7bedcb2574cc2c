/**
 * Character classes of RFC 3501 9 (formal syntax), shared by the reader, the parser and the
 * compiler so that "what may stand unquoted" is decided in one place.
 */

/** RFC 3501 9: atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials */
const ATOM_SPECIALS = new Set(['(', ')', '{', ' ', '%', '*', '"', '\\', ']']);

/** RFC 3501 9: CTL is %x00-1F / %x7F; CHAR is 7-bit (%x01-7F). */
function isCtlOr8Bit(code: number): boolean {
  return code <= 0x1f || code >= 0x7f;
}

/** RFC 3501 9: ATOM-CHAR = <any CHAR except atom-specials> */
export function isAtomChar(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return !isCtlOr8Bit(code) && !ATOM_SPECIALS.has(ch);
}

/** RFC 3501 9: ASTRING-CHAR = ATOM-CHAR / resp-specials */
export function isAstringChar(ch: string): boolean {
  return isAtomChar(ch) || ch === ']';
}

/** RFC 3501 9: tag = 1*<any ASTRING-CHAR except "+"> */
export function isValidTag(tag: string): boolean {
  if (tag.length === 0) return false;
  for (const ch of tag) {
    if (ch === '+' || !isAstringChar(ch)) return false;
  }
  return true;
}

/** RFC 3501 9: list-char = ATOM-CHAR / list-wildcards / resp-specials */
export function isListChar(ch: string): boolean {
  return isAstringChar(ch) || ch === '%' || ch === '*';
}

/** True when `text` can be sent as an atom (non-empty, only ATOM-CHARs). */
export function isAtom(text: string): boolean {
  if (text.length === 0) return false;
  for (const ch of text) if (!isAtomChar(ch)) return false;
  return true;
}
