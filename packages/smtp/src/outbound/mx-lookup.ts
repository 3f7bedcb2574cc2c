import type { MxRecord } from 'node:dns';
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { MAX_MX_HOSTS } from './limits.js';
import { isMissingRecord, type DnsResolver } from './resolver.js';

/** One host to try, with the addresses to connect to (already resolved, so no client-side DNS). */
export interface DeliveryHost {
  /** The MX name (or the domain itself for an implicit MX): TLS SNI and logs. */
  name: string;
  addresses: string[];
}

/** Why a destination cannot be reached, and whether trying again later may help. */
export class RouteError extends Error {
  override name = 'RouteError';
  constructor(
    message: string,
    readonly permanent: boolean,
    /** RFC 3463 status code for the DSN. */
    readonly status: string,
  ) {
    super(message);
  }
}

/**
 * RFC 5321 5.1: the MX records of the domain in preference order (ties in random order); with no
 * MX records, the domain's own A/AAAA records are an implicit MX of preference 0. RFC 7505: a
 * single MX of "." (null MX) means the domain accepts no mail, a permanent failure.
 */
export async function lookupDestination(utf8Domain: string, resolver: DnsResolver): Promise<DeliveryHost[]> {
  // An address literal (user@[192.0.2.1]) needs no lookup (RFC 5321 4.1.3).
  const literal = /^\[(?:IPv6:)?([^\]]+)\]$/i.exec(utf8Domain)?.[1];
  if (literal !== undefined && isIP(literal) !== 0) return [{ name: literal, addresses: [literal] }];
  // RFC 5890 / RFC 6531 3.2: DNS holds an internationalised name as its A-label (punycode).
  const domain = aLabel(utf8Domain);

  let records: MxRecord[];
  try {
    records = await resolver.resolveMx(domain);
  } catch (error) {
    if (!isMissingRecord(error)) throw temporary(`MX lookup for ${domain} failed`, error);
    records = [];
  }
  if (records.length === 1 && (records[0]?.exchange === '' || records[0]?.exchange === '.')) {
    throw new RouteError(`${domain} accepts no mail (null MX, RFC 7505)`, true, '5.1.10');
  }
  if (records.length === 0) {
    const addresses = await addressesOf(domain, resolver);
    if (addresses.length === 0) throw new RouteError(`${domain} has no MX, A or AAAA record`, true, '5.1.2');
    return [{ name: domain, addresses }];
  }
  const ordered = [...records]
    .map((record) => ({ record, tie: Math.random() }))
    .sort((a, b) => a.record.priority - b.record.priority || a.tie - b.tie)
    .slice(0, MAX_MX_HOSTS);
  const hosts: DeliveryHost[] = [];
  let lastError: unknown = null;
  for (const { record } of ordered) {
    try {
      const addresses = await addressesOf(record.exchange, resolver);
      if (addresses.length > 0) hosts.push({ name: record.exchange, addresses });
    } catch (error) {
      lastError = error;
    }
  }
  if (hosts.length === 0) {
    // MX names that do not resolve may be fixed soon (a DNS change in flight): retry, not bounce.
    throw lastError instanceof RouteError
      ? lastError
      : new RouteError(`no MX host of ${domain} has an address`, false, '4.4.4');
  }
  return hosts;
}

/** The domain's A-label form (`bücher.example` -> `xn--bcher-kva.example`); ASCII names unchanged. */
export function aLabel(domain: string): string {
  if (!/[^\p{ASCII}]/u.test(domain)) return domain;
  return domainToASCII(domain) || domain;
}

/** A then AAAA records of a name; a name with neither gives []. */
async function addressesOf(name: string, resolver: DnsResolver): Promise<string[]> {
  if (isIP(name) !== 0) return [name];
  const results = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
  const addresses: string[] = [];
  for (const result of results) {
    if (result.status === 'fulfilled') addresses.push(...result.value);
    else if (!isMissingRecord(result.reason))
      throw temporary(`address lookup for ${name} failed`, result.reason);
  }
  return addresses;
}

function temporary(message: string, cause: unknown): RouteError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  // RFC 3463 4.4.3: directory server failure (DNS) - transient.
  return new RouteError(`${message}: ${detail}`, false, '4.4.3');
}
