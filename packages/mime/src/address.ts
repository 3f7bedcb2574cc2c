/**
 * RFC 5322 3.4 address-list parsing into RFC 3501 7.4.2 ENVELOPE addresses. Works on byte strings
 * and keeps display names undecoded (RFC 3501 sends them raw). Iterative, and forgiving: whatever
 * a header holds becomes some list of addresses, never an exception.
 */
import { MAX_ENVELOPE_ADDRESSES } from './limits.js';
import type { EnvelopeAddress } from './types.js';

/**
 * Host reported for an address without a domain. NIL would read as a group start (RFC 3501
 * 7.4.2), so like Dovecot we put a visible placeholder there.
 */
export const MISSING_DOMAIN = 'MISSING_DOMAIN';

/** A lexical token; `spaced` says white space preceded it (display names keep that spacing). */
type Token = { spaced: boolean } & (
  | { kind: 'atom'; text: string }
  | { kind: 'quoted'; text: string; raw: string }
  | { kind: 'comment'; text: string }
  | { kind: 'literal'; text: string }
  | { kind: 'special'; text: string }
);

const SPECIALS = '<>@,;:.';

/** By char code below 128: 1 for SPECIALS, 2 for the other characters that end an atom. */
const ATOM_END = new Uint8Array(128);
for (const c of SPECIALS) ATOM_END[c.charCodeAt(0)] = 1;
for (const c of ' \t\r\n"([') ATOM_END[c.charCodeAt(0)] = 2;

/** Whether the char code is one of SPECIALS. */
function isSpecialCode(code: number): boolean {
  return code < 128 && ATOM_END[code] === 1;
}

/** Whether the char code ends an atom (white space, a quote, comment, literal or special). */
function endsAtom(code: number): boolean {
  return code < 128 && ATOM_END[code] !== 0;
}

function tokenize(value: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = value.length;
  let spaced = false;
  while (i < n) {
    const c = value[i] as string;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      spaced = true;
      continue;
    }
    if (c === '"') {
      let text = '';
      let j = i + 1;
      while (j < n && value[j] !== '"') {
        if (value[j] === '\\' && j + 1 < n) j++;
        text += value[j];
        j++;
      }
      tokens.push({ spaced, kind: 'quoted', text, raw: value.slice(i, Math.min(j + 1, n)) });
      i = j + 1;
    } else if (c === '(') {
      // RFC 5322 3.2.2: comments nest; an unclosed one runs to the end.
      let depth = 1;
      let text = '';
      let j = i + 1;
      while (j < n && depth > 0) {
        const d = value[j] as string;
        if (d === '\\' && j + 1 < n) {
          j++;
          text += value[j];
        } else if (d === '(') {
          depth++;
          text += d;
        } else if (d === ')') {
          depth--;
          if (depth > 0) text += d;
        } else {
          text += d;
        }
        j++;
      }
      tokens.push({ spaced, kind: 'comment', text: text.trim() });
      i = j;
    } else if (c === '[') {
      const close = value.indexOf(']', i);
      const stop = close === -1 ? n : close + 1;
      tokens.push({ spaced, kind: 'literal', text: value.slice(i, stop) });
      i = stop;
    } else if (isSpecialCode(value.charCodeAt(i))) {
      tokens.push({ spaced, kind: 'special', text: c });
      i++;
    } else {
      let j = i + 1;
      while (j < n && !endsAtom(value.charCodeAt(j))) j++;
      tokens.push({ spaced, kind: 'atom', text: value.slice(i, j) });
      i = j;
    }
    spaced = false;
  }
  return tokens;
}

/** A phrase (display name or group name): its words, one space where the header had white space. */
function phrase(tokens: readonly Token[]): string | null {
  let text = '';
  for (const t of tokens) {
    if (t.kind === 'comment') continue;
    text += (text !== '' && t.spaced ? ' ' : '') + t.text;
  }
  text = text.trim();
  return text === '' ? null : text;
}

/** Joins the tokens of a local part or domain without spaces, quoted strings kept quoted. */
function joinTight(tokens: readonly Token[]): string {
  let joined = '';
  for (const t of tokens) {
    if (t.kind !== 'comment') joined += t.kind === 'quoted' ? t.raw : t.text;
  }
  return joined;
}

function isSpecial(t: Token | undefined, text: string): boolean {
  return t !== undefined && t.kind === 'special' && t.text === text;
}

/** mailbox, host and source route of an addr-spec (or of the inside of angle brackets). */
function addrSpec(tokens: readonly Token[]): {
  adl: string | null;
  mailbox: string | null;
  host: string | null;
} {
  let rest = tokens;
  let adl: string | null = null;
  // RFC 5322 4.4 obs-route: "@a,@b:" before the addr-spec.
  if (isSpecial(rest[0], '@')) {
    const colon = rest.findIndex((t) => isSpecial(t, ':'));
    if (colon !== -1) {
      adl = joinTight(rest.slice(0, colon));
      rest = rest.slice(colon + 1);
    }
  }
  let at = -1;
  for (let i = rest.length - 1; i >= 0; i--) {
    if (isSpecial(rest[i], '@')) {
      at = i;
      break;
    }
  }
  if (at === -1) {
    const mailbox = joinTight(rest);
    return { adl, mailbox: mailbox === '' ? null : mailbox, host: mailbox === '' ? null : MISSING_DOMAIN };
  }
  const mailbox = joinTight(rest.slice(0, at));
  const host = joinTight(rest.slice(at + 1));
  return { adl, mailbox, host: host === '' ? MISSING_DOMAIN : host };
}

/** One mailbox (RFC 5322 3.4): `name <addr-spec>`, `addr-spec`, or `addr-spec (comment name)`. */
function mailbox(tokens: readonly Token[]): EnvelopeAddress | null {
  if (tokens.every((t) => t.kind === 'comment')) return null;
  const open = tokens.findIndex((t) => isSpecial(t, '<'));
  if (open !== -1) {
    let close = tokens.findIndex((t, i) => i > open && isSpecial(t, '>'));
    if (close === -1) close = tokens.length;
    const spec = addrSpec(tokens.slice(open + 1, close));
    if (spec.mailbox === null) return null;
    return { name: phrase(tokens.slice(0, open)), ...spec };
  }
  const spec = addrSpec(tokens);
  if (spec.mailbox === null) return null;
  const comment = tokens.find((t) => t.kind === 'comment' && t.text !== '');
  return { name: comment?.text ?? null, ...spec };
}

/**
 * The addresses of an address-list header value (a byte string). RFC 3501 7.4.2 groups: a start
 * entry (NIL NIL groupname NIL), the members, an end entry (NIL NIL NIL NIL).
 */
export function parseAddressList(value: string): EnvelopeAddress[] {
  const tokens = tokenize(value);
  const out: EnvelopeAddress[] = [];
  let current: Token[] = [];
  let inAngle = false;
  let inGroup = false;
  const flush = (): void => {
    const address = mailbox(current);
    if (address !== null && out.length < MAX_ENVELOPE_ADDRESSES) out.push(address);
    current = [];
  };
  for (const t of tokens) {
    if (out.length >= MAX_ENVELOPE_ADDRESSES) break;
    if (t.kind === 'special' && !inAngle) {
      if (t.text === ',') {
        flush();
        continue;
      }
      if (t.text === ':' && !inGroup) {
        out.push({ name: null, adl: null, mailbox: phrase(current) ?? '', host: null });
        current = [];
        inGroup = true;
        continue;
      }
      if (t.text === ';' && inGroup) {
        flush();
        out.push({ name: null, adl: null, mailbox: null, host: null });
        inGroup = false;
        continue;
      }
    }
    if (isSpecial(t, '<')) inAngle = true;
    else if (isSpecial(t, '>')) inAngle = false;
    current.push(t);
  }
  flush();
  if (inGroup) out.push({ name: null, adl: null, mailbox: null, host: null });
  return out;
}
