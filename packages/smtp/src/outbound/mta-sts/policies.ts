/**
 * RFC 8461 5: which MTA-STS policy applies to a recipient domain now. Policies are cached for
 * their max_age; the `_mta-sts` TXT record's id says when to fetch again; a failed fetch or a
 * missing record keeps using an unexpired cached policy (5.1), so an attacker who blocks the
 * lookup cannot downgrade a domain we have seen. Failures are told to the TLS-RPT collector.
 */
import { isMissingRecord, type DnsResolver } from '../resolver.js';
import { fetchStsPolicy, StsFetchError, type StsFetchOptions } from './fetch.js';
import { parseStsRecord, type StsPolicy } from './policy.js';
import type { TlsReportCollector } from './tls-report.js';

export interface MtaStsOptions extends Omit<StsFetchOptions, 'resolver'> {
  /** Where failures (and successes) are counted for TLS-RPT; none: not reported. */
  reports?: TlsReportCollector;
}

interface CachedPolicy {
  id: string;
  policy: StsPolicy;
  expiresAt: number;
}

export class MtaStsPolicies {
  private readonly cache = new Map<string, CachedPolicy>();
  /** Lookups in progress, so concurrent deliveries to one domain fetch its policy once. */
  private readonly pending = new Map<string, Promise<StsPolicy | null>>();

  constructor(
    private readonly resolver: DnsResolver,
    private readonly options: MtaStsOptions,
  ) {}

  /** The policy in force for `domain` (A-label, lower case), or null: deliver without MTA-STS. */
  policyFor(domain: string, now: number = Date.now()): Promise<StsPolicy | null> {
    let pending = this.pending.get(domain);
    if (pending === undefined) {
      pending = this.lookUp(domain, now).finally(() => this.pending.delete(domain));
      this.pending.set(domain, pending);
    }
    return pending;
  }

  private async lookUp(domain: string, now: number): Promise<StsPolicy | null> {
    const cached = this.cache.get(domain);
    const fresh = cached !== undefined && cached.expiresAt > now ? cached : undefined;
    let id: string | null;
    try {
      id = parseStsRecord(await this.resolver.resolveTxt(`_mta-sts.${domain}`));
    } catch (error) {
      // No record, or the lookup failed: a cached policy still holds (RFC 8461 5.1).
      if (!isMissingRecord(error) && fresh === undefined) return null;
      id = null;
    }
    if (id === null) return usable(fresh?.policy);
    if (fresh !== undefined && fresh.id === id) return usable(fresh.policy);
    try {
      const policy = await fetchStsPolicy(domain, { ...this.options, resolver: this.resolver });
      this.cache.set(domain, { id, policy, expiresAt: now + policy.maxAgeSeconds * 1000 });
      return usable(policy);
    } catch (error) {
      if (!(error instanceof StsFetchError)) throw error;
      this.options.reports?.recordFailure(domain, fresh?.policy ?? null, {
        resultType: error.resultType,
        failureReason: error.message,
      });
      return usable(fresh?.policy);
    }
  }
}

/** Mode none means "no policy" (RFC 8461 5). */
function usable(policy: StsPolicy | undefined): StsPolicy | null {
  return policy === undefined || policy.mode === 'none' ? null : policy;
}
