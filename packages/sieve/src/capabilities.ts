/**
 * The extensions this interpreter implements: the names `require` accepts (RFC 5228 3.2) and
 * ManageSieve's SIEVE capability lists (RFC 5804 1.7).
 */
export const CAPABILITIES = [
  'fileinto', // RFC 5228 4.1
  'reject', // RFC 5429 2.2
  'ereject', // RFC 5429 2.1
  'envelope', // RFC 5228 5.4
  'encoded-character', // RFC 5228 2.4.2.4
  'comparator-i;octet', // RFC 5228 2.7.3
  'comparator-i;ascii-casemap', // RFC 5228 2.7.3
  'comparator-i;ascii-numeric', // RFC 4790 9.1
  'imap4flags', // RFC 5232
  'copy', // RFC 3894
  'body', // RFC 5173
  'variables', // RFC 5229
  'vacation', // RFC 5230
  'subaddress', // RFC 5233
  'relational', // RFC 5231
  'date', // RFC 5260 4
  'index', // RFC 5260 6
  'mailbox', // RFC 5490 3
  'include', // RFC 6609
] as const;

export type Capability = (typeof CAPABILITIES)[number];

const KNOWN: ReadonlySet<string> = new Set(CAPABILITIES);

export function isCapability(name: string): name is Capability {
  return KNOWN.has(name);
}

/** RFC 5228 2.7.3: i;octet and i;ascii-casemap are always available without require. */
export const BUILTIN_COMPARATORS: ReadonlySet<string> = new Set(['i;octet', 'i;ascii-casemap']);
