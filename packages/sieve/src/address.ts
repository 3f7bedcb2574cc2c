/**
 * Addresses for the address and envelope tests (RFC 5228 5.1, 2.7.4) and the subaddress parts
 * (RFC 5233 4): a small RFC 5322 3.4 address-list reader that keeps only each mailbox's addr-spec
 * (display names, comments and group names dropped), lenient about the malformed headers real mail has.
 */
import type { AddressPart } from './program.js';

/** The addr-specs of an address-list header value, in order. */
export function parseAddressList(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let angle: string | null = null;
  let inAngle = false;
  let i = 0;
  const flush = (): void => {
    const a = (angle ?? cur).trim().replace(/\s+/g, '');
    if (a !== '') out.push(a);
    cur = '';
    angle = null;
  };
  while (i < value.length) {
    const ch = value[i]!;
    if (ch === '"') {
      // quoted string: a display name, or the quoted local part of an addr-spec
      let j = i + 1;
      let q = '';
      while (j < value.length && value[j] !== '"') {
        if (value[j] === '\\' && j + 1 < value.length) j++;
        q += value[j];
        j++;
      }
      if (inAngle) angle = (angle ?? '') + `"${q}"`;
      else cur += `"${q}"`;
      i = j + 1;
      continue;
    }
    if (ch === '(') {
      let depth = 1;
      let j = i + 1;
      while (j < value.length && depth > 0) {
        if (value[j] === '\\') j++;
        else if (value[j] === '(') depth++;
        else if (value[j] === ')') depth--;
        j++;
      }
      i = j;
      continue;
    }
    if (inAngle) {
      if (ch === '>') inAngle = false;
      else angle = (angle ?? '') + ch;
    } else if (ch === '<') {
      inAngle = true;
      angle = '';
    } else if (ch === ',' || ch === ';') {
      flush();
    } else if (ch === ':') {
      // group name ends: what came before was the group's display name
      cur = '';
    } else {
      cur += ch;
    }
    i++;
  }
  flush();
  // A phrase without an addr-spec (a display name alone) is not an address.
  return out.filter((a) => a === '' || a.includes('@') || !/\s/.test(a));
}

/** Strip the angle brackets of an envelope address ("<a@b>" -> "a@b"); "<>" is "". */
export function envelopeAddress(value: string): string {
  const v = value.trim();
  return v.startsWith('<') && v.endsWith('>') ? v.slice(1, -1) : v;
}

/**
 * The part of an address a test compares (RFC 5228 2.7.4, RFC 5233 4), or null when the address
 * has no such part (a :detail without a separator, a :domain of the null address).
 */
export function addressPart(addr: string, part: AddressPart, separator: string): string | null {
  if (part === 'all') return addr;
  const at = addr.lastIndexOf('@');
  const local = at < 0 ? addr : addr.slice(0, at);
  if (part === 'domain') return at < 0 ? null : addr.slice(at + 1);
  if (addr === '') return null;
  if (part === 'localpart') return local;
  const s = local.indexOf(separator);
  if (part === 'user') return s < 0 ? local : local.slice(0, s);
  // RFC 5233 4: without a separator :detail matches nothing
  return s < 0 ? null : local.slice(s + separator.length);
}
