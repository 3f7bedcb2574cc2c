/**
 * The POP3 wire format as pure functions: bytes in, typed values out. Nothing here knows about
 * sessions or the store.
 */

export interface CommandLine {
  /** Upper-cased keyword (RFC 1939 3: keywords are case-insensitive). */
  keyword: string;
  /**
   * Everything after the single space that follows the keyword, unchanged. PASS keeps spaces
   * (RFC 1939 7: "a server may treat spaces in the argument as part of the password").
   */
  rest: string;
}

const SPACE = 0x20;
/** RFC 1939 3 and RFC 2449 3: a keyword is 3 or 4 printable characters (extensions up to 4). */
const KEYWORD_MIN_OCTETS = 3;
const KEYWORD_MAX_OCTETS = 4;

/** Parse one command line (without CRLF). Null when it does not even look like a command. */
export function parseCommandLine(line: Buffer): CommandLine | null {
  // Checked on the bytes, before any decoding: this runs for every command (one RETR each per
  // message a client downloads), and most lines are not looked at past their keyword.
  const space = line.indexOf(SPACE);
  const keywordEnd = space < 0 ? line.length : space;
  if (keywordEnd < KEYWORD_MIN_OCTETS || keywordEnd > KEYWORD_MAX_OCTETS) return null;
  for (let i = 0; i < keywordEnd; i += 1) if (!isAsciiLetter(line[i] ?? 0)) return null;
  return {
    keyword: line.toString('latin1', 0, keywordEnd).toUpperCase(),
    // UTF-8: RFC 6856 (UTF8 POP3) allows UTF-8 user names; invalid bytes become U+FFFD and simply
    // fail to match any account. The keyword is ASCII, so decoding after it decodes the same
    // characters as decoding the whole line would.
    rest: space < 0 ? '' : line.toString('utf8', space + 1),
  };
}

function isAsciiLetter(octet: number): boolean {
  // A-Z or a-z: setting bit 0x20 folds upper case onto lower case.
  const lower = octet | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

/** Split the arguments of a command (RFC 1939 3: separated by a single space; we accept runs). */
export function splitArguments(rest: string): string[] {
  const trimmed = rest.trim();
  return trimmed === '' ? [] : trimmed.split(/\s+/);
}

/** RFC 1939 5: a message-number is a decimal number starting at 1, no sign, no leading zeros. */
const MESSAGE_NUMBER = /^[1-9][0-9]{0,9}$/;
/** RFC 1939 7 (TOP): the line count is a non-negative decimal number. */
const LINE_COUNT = /^(?:0|[1-9][0-9]{0,9})$/;

export function parseMessageNumber(text: string): number | null {
  return MESSAGE_NUMBER.test(text) ? Number(text) : null;
}

export function parseLineCount(text: string): number | null {
  return LINE_COUNT.test(text) ? Number(text) : null;
}
