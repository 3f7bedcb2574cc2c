/**
 * MTA-STS (RFC 8461) as pure code: the `_mta-sts` TXT record, the policy file, and MX matching.
 * Bytes in, typed values out; the fetching and caching are in fetch.ts and policies.ts.
 */

export type StsMode = 'enforce' | 'testing' | 'none';

export interface StsPolicy {
  mode: StsMode;
  /** MX patterns: a host name, or `*.` plus a name matching exactly one more leftmost label. */
  mx: string[];
  /** Seconds the policy may be cached (RFC 8461 3.2: up to 31557600). */
  maxAgeSeconds: number;
  /** The policy's lines as served (TLS-RPT `policy-string`, RFC 8460 4.4). */
  lines: string[];
}

export class StsPolicyError extends Error {
  override name = 'StsPolicyError';
}

/** RFC 8461 3.2: max_age is at most 31557600 seconds (about a year). */
export const MAX_STS_MAX_AGE = 31_557_600;

/**
 * RFC 8461 3.1: the TXT record at `_mta-sts.<domain>`: `v=STSv1; id=<1-32 alphanumerics>;`.
 * Returns the id, or null when no record is valid. Several STSv1 records are treated as none.
 */
export function parseStsRecord(txt: string[][]): string | null {
  const records = txt.map((chunks) => chunks.join('')).filter((record) => /^v=STSv1\s*(;|$)/.test(record));
  if (records.length !== 1) return null;
  const fields = new Map<string, string>();
  for (const field of records[0]!.split(';')) {
    const eq = field.indexOf('=');
    if (eq === -1) continue;
    fields.set(field.slice(0, eq).trim(), field.slice(eq + 1).trim());
  }
  const id = fields.get('id');
  return id !== undefined && /^[A-Za-z0-9]{1,32}$/.test(id) ? id : null;
}

/**
 * RFC 8461 3.2: `key: value` lines (CRLF or LF); version STSv1, mode, one `mx` line per pattern
 * (required unless mode is none), max_age. Unknown keys are ignored; a malformed policy throws.
 */
export function parseStsPolicy(text: string): StsPolicy {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  let version: string | undefined;
  let mode: string | undefined;
  let maxAge: string | undefined;
  const mx: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon === -1) throw new StsPolicyError(`policy line without a colon: ${line.slice(0, 80)}`);
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === 'version') version ??= value;
    else if (key === 'mode') mode ??= value;
    else if (key === 'max_age') maxAge ??= value;
    else if (key === 'mx') mx.push(value.toLowerCase());
  }
  if (version !== 'STSv1') throw new StsPolicyError('policy version is not STSv1');
  if (mode !== 'enforce' && mode !== 'testing' && mode !== 'none')
    throw new StsPolicyError(`policy mode is not enforce, testing or none: ${String(mode)}`);
  if (maxAge === undefined || !/^\d{1,10}$/.test(maxAge))
    throw new StsPolicyError('policy max_age is missing');
  if (mode !== 'none' && mx.length === 0) throw new StsPolicyError('policy names no mx');
  for (const pattern of mx)
    if (!/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/.test(pattern))
      throw new StsPolicyError(`policy mx pattern is not a host name: ${pattern}`);
  return { mode, mx, maxAgeSeconds: Math.min(Number(maxAge), MAX_STS_MAX_AGE), lines };
}

/**
 * RFC 8461 4.1: a host matches a pattern exactly (case-insensitively, without a trailing dot), or
 * `*.example.com` matches one more leftmost label (`mx1.example.com`, not `a.b.example.com`).
 */
export function mxMatches(pattern: string, host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  const want = pattern.toLowerCase().replace(/\.$/, '');
  if (!want.startsWith('*.')) return name === want;
  const suffix = want.slice(1);
  if (!name.endsWith(suffix)) return false;
  const label = name.slice(0, -suffix.length);
  return label.length > 0 && !label.includes('.');
}

/** Whether any pattern of the policy matches the host. */
export function policyAllowsMx(policy: StsPolicy, host: string): boolean {
  return policy.mx.some((pattern) => mxMatches(pattern, host));
}
