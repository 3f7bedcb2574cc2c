import type { SearchTerm } from '@minimail/store';

/** Longest query string accepted: it is user input turned into SQL terms. */
export const MAX_QUERY_LENGTH = 2_000;

export class QueryError extends Error {}

/**
 * Mailpit's search syntax (https://mailpit.axllent.org/docs/usage/search-filters/), as far as
 * minimail stores the facts: free words and "quoted phrases" (all must match, anywhere);
 * `from:` `to:` (also cc/bcc) `cc:` `bcc:` `subject:` `message-id:` `tag:`; `is:read`
 * `is:unread`; `has:attachment`; `before:` `after:` (a date, read as UTC midnight, or a full
 * timestamp); `larger:` `smaller:` (bytes, or with k/m); a leading `-` or `!` negates a term.
 */
export function parseQuery(query: string): SearchTerm[] {
  if (query.length > MAX_QUERY_LENGTH)
    throw new QueryError(`query is longer than ${MAX_QUERY_LENGTH} characters`);
  const terms: SearchTerm[] = [];
  for (const token of tokens(query)) {
    let word = token.text;
    let negate = false;
    if (!token.quoted && (word.startsWith('-') || word.startsWith('!')) && word.length > 1) {
      negate = true;
      word = word.slice(1);
    }
    const colon = token.quoted ? -1 : word.indexOf(':');
    const key = colon > 0 ? word.slice(0, colon).toLowerCase() : '';
    const value = colon > 0 ? unquote(word.slice(colon + 1)) : word;
    switch (key) {
      case 'from':
      case 'to':
      case 'subject':
      case 'message-id':
        if (value !== '') terms.push({ kind: 'text', field: key, value, negate });
        break;
      case 'cc':
      case 'bcc':
      case 'addressed':
        if (value !== '') terms.push({ kind: 'text', field: 'to', value, negate });
        break;
      case 'tag':
        if (value !== '') terms.push({ kind: 'tag', value: tagToKeyword(value), negate });
        break;
      case 'is':
        if (value === 'read' || value === 'unread') {
          terms.push({ kind: 'read', value: (value === 'read') !== negate });
        } else {
          throw new QueryError(`unknown is: value ${JSON.stringify(value)} (is:read, is:unread)`);
        }
        break;
      case 'has':
        if (value === 'attachment' || value === 'attachments') terms.push({ kind: 'attachment', negate });
        else throw new QueryError(`unknown has: value ${JSON.stringify(value)} (has:attachment)`);
        break;
      case 'before':
      case 'after':
        terms.push({ kind: key, date: dateOf(value) });
        break;
      case 'larger':
      case 'smaller':
        terms.push({ kind: key, bytes: sizeOf(value) });
        break;
      default:
        terms.push({ kind: 'text', field: 'any', value: colon > 0 ? word : value, negate });
    }
  }
  return terms;
}

/**
 * Mailpit tags may hold spaces; an IMAP keyword is an atom (RFC 3501 9), so a tag is kept as a
 * keyword with spaces as `_` and characters outside Mailpit's tag alphabet dropped.
 */
export function tagToKeyword(tag: string): string {
  return tag
    .replace(/[^a-zA-Z0-9\-._ ]/g, '')
    .trim()
    .replace(/ /g, '_');
}

/** Keywords shown as tags: every flag that is not a system flag (`\Seen` and the like). */
export function keywordToTag(keyword: string): string | null {
  return keyword.startsWith('\\') || keyword.startsWith('$') ? null : keyword;
}

interface Token {
  text: string;
  quoted: boolean;
}

function tokens(query: string): Token[] {
  const out: Token[] = [];
  // A word, possibly key:"quoted value", or a whole "quoted phrase".
  const pattern = /"([^"]*)"|(\S*?:"[^"]*")|(\S+)/g;
  for (const match of query.matchAll(pattern)) {
    if (match[1] !== undefined) {
      if (match[1] !== '') out.push({ text: match[1], quoted: true });
    } else {
      out.push({ text: match[2] ?? match[3] ?? '', quoted: false });
    }
  }
  return out;
}

function unquote(value: string): string {
  return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
}

function dateOf(value: string): Date {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const date = new Date(text);
  if (value === '' || Number.isNaN(date.getTime()))
    throw new QueryError(`not a date: ${JSON.stringify(value)}`);
  return date;
}

function sizeOf(value: string): number {
  const match = /^(\d{1,12})([kKmM]?)[bB]?$/.exec(value);
  if (match === null) throw new QueryError(`not a size: ${JSON.stringify(value)}`);
  const unit = match[2]?.toLowerCase();
  return Number(match[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1);
}
