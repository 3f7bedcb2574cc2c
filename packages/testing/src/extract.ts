/**
 * What a test wants from a sign-up or login mail: the links in it, and the one-time code.
 */
import type { Message } from './message.js';

type Source = Pick<Message, 'text' | 'html'> | string;

/** HTML character references that occur in URLs (`&amp;` above all). */
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

function unescapeHtml(text: string): string {
  return text
    .replace(/&(amp|lt|gt|quot|apos|#39);/g, (_, name: string) => ENTITIES[name]!)
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(parseInt(code, 16)));
}

/** http(s) URLs in running text; a trailing sentence mark or bracket is not part of the URL. */
const URL_IN_TEXT = /https?:\/\/[^\s<>"'`]+/g;
const TRAILING = /[.,;:!?)\]}>]+$/;

/**
 * Every distinct http(s) link of a message, in order: `href`s of its HTML part first, then URLs in
 * its text part (or in the string given).
 */
export function extractLinks(source: Source): string[] {
  const found: string[] = [];
  const add = (url: string): void => {
    if (/^https?:\/\//i.test(url) && !found.includes(url)) found.push(url);
  };
  const html = typeof source === 'string' ? null : source.html;
  const text = typeof source === 'string' ? source : source.text;
  if (html) {
    for (const match of html.matchAll(/\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)) {
      add(unescapeHtml((match[1] ?? match[2] ?? match[3] ?? '').trim()));
    }
  }
  const plain = text ?? (html ? unescapeHtml(html.replace(/<[^>]*>/g, ' ')) : '');
  for (const match of plain.matchAll(URL_IN_TEXT)) add(match[0].replace(TRAILING, ''));
  return found;
}

export interface ExtractCodeOptions {
  /** What a code looks like (first capture group, or the whole match). Default: 4 to 8 digits. */
  pattern?: RegExp;
}

/** Words that introduce a one-time code; a number right after one is preferred over others. */
const CODE_WORDS = /\b(?:code|otp|pin|passcode|password|token|verification|verify|one-time)\b/i;

/**
 * The one-time code of a message: the first code-shaped word after "code", "PIN", "verification"
 * and the like, else the first code-shaped word at all; null when there is none. Looks at the text
 * part, or the HTML part without tags.
 */
export function extractCode(source: Source, options: ExtractCodeOptions = {}): string | null {
  const text =
    typeof source === 'string'
      ? source
      : (source.text ?? (source.html ? unescapeHtml(source.html.replace(/<[^>]*>/g, ' ')) : ''));
  const shape = options.pattern ?? /(?<![\w-])(\d{4,8})(?![\w-])/;
  const flags = shape.flags.includes('g') ? shape.flags : `${shape.flags}g`;
  const matches = [...text.matchAll(new RegExp(shape.source, flags))];
  if (matches.length === 0) return null;
  const value = (match: RegExpMatchArray): string => match[1] ?? match[0];
  // Prefer a code that follows a code word on the same stretch of text.
  const cue = CODE_WORDS.exec(text);
  if (cue) {
    const after = matches.find((match) => (match.index ?? 0) >= cue.index);
    if (after) return value(after);
  }
  return value(matches[0]!);
}
