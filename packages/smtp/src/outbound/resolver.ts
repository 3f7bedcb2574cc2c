import type { MxRecord } from 'node:dns';
import type { DNSResolver } from 'mailauth';

/**
 * The DNS queries relay and inbound checks make, with node:dns/promises signatures. Injected
 * everywhere so tests (and the dev profile) answer from a table and never query real DNS; the
 * app passes `dns.promises` (or a Resolver) in production.
 */
export interface DnsResolver {
  resolveMx(hostname: string): Promise<MxRecord[]>;
  resolve4(hostname: string): Promise<string[]>;
  resolve6(hostname: string): Promise<string[]>;
  resolveTxt(hostname: string): Promise<string[][]>;
}

/** node:dns error codes meaning "the name or record does not exist" (as opposed to a failed query). */
const MISSING_CODES = new Set(['ENOTFOUND', 'ENODATA']);

export function isMissingRecord(error: unknown): boolean {
  return error instanceof Error && 'code' in error && MISSING_CODES.has(String(error.code));
}

/** An error shaped like node:dns's when a name has no record of the asked type. */
export function missingRecord(hostname: string, rrtype: string): Error {
  const error = new Error(`query${rrtype} ENODATA ${hostname}`) as NodeJS.ErrnoException;
  error.code = 'ENODATA';
  return error;
}

/**
 * A resolver that answers every A/MX question with one fixed address, TXT questions from `txt`
 * and every other question with "no such record", making no query at all. For tests and for
 * pointing the relay at a local stand-in MX (MINIMAIL_RELAY_RESOLVE_TO); never for real mail.
 */
export function staticResolver(address: string, txt: Record<string, string[][]> = {}): DnsResolver {
  const v6 = address.includes(':');
  return {
    resolveMx: (hostname) => Promise.resolve([{ exchange: `mx.${hostname}`, priority: 10 }]),
    resolve4: (hostname) => (v6 ? Promise.reject(missingRecord(hostname, 'A')) : Promise.resolve([address])),
    resolve6: (hostname) =>
      v6 ? Promise.resolve([address]) : Promise.reject(missingRecord(hostname, 'AAAA')),
    resolveTxt: (hostname) => {
      const records = txt[hostname.toLowerCase()];
      return records === undefined
        ? Promise.reject(missingRecord(hostname, 'TXT'))
        : Promise.resolve(records);
    },
  };
}

/**
 * Adapts a DnsResolver to mailauth's `(name, rrtype)` shape (dns.promises.resolve's); record
 * types we do not serve read as "no such record". mailauth's typings omit MX answers, which it
 * does request (SPF `mx` mechanism) and reads as node returns them, hence the one cast.
 */
export function toMailauthResolver(resolver: DnsResolver): DNSResolver {
  const resolve = (name: string, rrtype: string): Promise<string[][] | string[] | MxRecord[]> => {
    switch (rrtype.toUpperCase()) {
      case 'TXT':
        return resolver.resolveTxt(name);
      case 'MX':
        return resolver.resolveMx(name);
      case 'A':
        return resolver.resolve4(name);
      case 'AAAA':
        return resolver.resolve6(name);
      default:
        return Promise.reject(missingRecord(name, rrtype));
    }
  };
  return resolve as DNSResolver;
}
