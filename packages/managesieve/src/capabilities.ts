/** RFC 5804 1.7 capabilities, as a table; what is listed depends on the connection. */
import { CAPABILITIES, DEFAULT_LIMITS } from '@minimail/sieve';
import { encodeString } from './wire.js';

export interface CapabilityContext {
  secure: boolean;
  starttls: boolean;
  authenticated: boolean;
  profile: 'dev' | 'production';
}

/** RFC 5804 2.1 / RFC 8314: production takes passwords only over TLS. */
export function isPlaintextAuthAllowed(ctx: Pick<CapabilityContext, 'secure' | 'profile'>): boolean {
  return ctx.secure || ctx.profile === 'dev';
}

/** The SIEVE capability: every extension `require` accepts, except the comparators (implicit). */
const SIEVE_EXTENSIONS = CAPABILITIES.filter(
  (c) => !c.startsWith('comparator-i;octet') && !c.startsWith('comparator-i;ascii-casemap'),
).join(' ');

export function capabilityLines(ctx: CapabilityContext): string[] {
  const lines: [string, string | null][] = [
    ['IMPLEMENTATION', 'minimail'],
    ['SIEVE', SIEVE_EXTENSIONS],
  ];
  // RFC 5804 1.7: SASL lists the mechanisms usable now (empty when none is).
  if (!ctx.authenticated) lines.push(['SASL', isPlaintextAuthAllowed(ctx) ? 'PLAIN' : '']);
  if (ctx.starttls && !ctx.secure) lines.push(['STARTTLS', null]);
  lines.push(['MAXREDIRECTS', String(DEFAULT_LIMITS.maxRedirects)]);
  lines.push(['VERSION', '1.0']);
  return lines.map(([name, value]) => (value === null ? `"${name}"` : `"${name}" ${encodeString(value)}`));
}
