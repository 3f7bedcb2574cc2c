import { MAX_ADDRESS_LENGTH, MAX_DOMAIN_LENGTH, MAX_LOCAL_PART_LENGTH } from './limits.js';
import { StoreError } from './types.js';

/** Whitespace, C0/C1 controls and DEL: never valid in a stored address or domain. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTERS = /[\s\u0000-\u001f\u007f-\u009f]/;

export interface ParsedAddress {
  /** Lower-cased, trimmed `local@domain` (or `@domain` for a catch-all source). */
  address: string;
  local: string;
  domain: string;
}

/** Lower-cases, trims and validates a domain name. */
export function normalizeDomain(input: string): string {
  const domain = input.trim().toLowerCase();
  if (
    domain.length === 0 ||
    domain.length > MAX_DOMAIN_LENGTH ||
    FORBIDDEN_CHARACTERS.test(domain) ||
    domain.includes('@') ||
    domain.split('.').some((label) => label.length === 0)
  ) {
    throw new StoreError('INVALID', `invalid domain name: ${JSON.stringify(input)}`);
  }
  return domain;
}

/** Lower-cases, trims and validates `local@domain`; `allowCatchAll` also accepts `@domain`. */
export function parseAddress(input: string, options: { allowCatchAll?: boolean } = {}): ParsedAddress {
  const address = input.trim().toLowerCase();
  const at = address.indexOf('@');
  const invalid = (): StoreError => new StoreError('INVALID', `invalid address: ${JSON.stringify(input)}`);
  if (at < 0 || address.indexOf('@', at + 1) >= 0 || address.length > MAX_ADDRESS_LENGTH) throw invalid();
  const local = address.slice(0, at);
  if (local.length === 0 && options.allowCatchAll !== true) throw invalid();
  if (local.length > MAX_LOCAL_PART_LENGTH || FORBIDDEN_CHARACTERS.test(local)) throw invalid();
  let domain: string;
  try {
    domain = normalizeDomain(address.slice(at + 1));
  } catch {
    // The domain-level message would hide which address was bad; report the whole address.
    throw invalid();
  }
  return { address: `${local}@${domain}`, local, domain };
}

export function normalizeAddress(input: string): string {
  return parseAddress(input).address;
}
