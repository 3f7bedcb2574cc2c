import type { Profile } from '@minimail/protocol';
/** What the CAPA answer and the login commands depend on. */
export interface SecurityContext {
  profile: Profile;
  /** The connection is encrypted now (implicit TLS, or after STLS). */
  secure: boolean;
  /** STLS can be offered: a certificate is configured and this is not the implicit-TLS listener. */
  stlsConfigured: boolean;
}

/**
 * Plaintext credentials (USER/PASS, SASL PLAIN and LOGIN) are accepted in dev always, and in
 * production only over TLS (RFC 8314 and the product brief; RFC 2595 3 says a server may refuse).
 */
export const plaintextAuthAllowed = (ctx: SecurityContext): boolean => ctx.profile === 'dev' || ctx.secure;

/** SASL mechanisms (RFC 5034), both plaintext: PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login). */
export const SASL_MECHANISMS = ['PLAIN', 'LOGIN'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

interface Capability {
  line: string;
  /** Advertised only when this holds; always when absent. */
  when?: (ctx: SecurityContext) => boolean;
}

/**
 * RFC 2449 6: the capabilities, in the order CAPA lists them. RFC 2449 5 asks that capabilities of
 * the AUTHORIZATION state be announced in both states, so the list does not depend on the state.
 */
export const CAPABILITIES: readonly Capability[] = [
  /** RFC 2449 6.1: the TOP command. */
  { line: 'TOP' },
  /** RFC 2449 6.2: the UIDL command. */
  { line: 'UIDL' },
  /** RFC 2449 6.3: USER/PASS, only where plaintext logins are allowed. */
  { line: 'USER', when: plaintextAuthAllowed },
  /** RFC 2449 6.4 / RFC 5034: AUTH with these mechanisms, same policy as USER. */
  { line: `SASL ${SASL_MECHANISMS.join(' ')}`, when: plaintextAuthAllowed },
  /** RFC 2449 6.5: extended response codes in brackets after -ERR. */
  { line: 'RESP-CODES' },
  /** RFC 3206 6: failed logins carry [AUTH] or [SYS/...]. */
  { line: 'AUTH-RESP-CODE' },
  /** RFC 2449 6.6: clients may send several commands without waiting; we answer in order. */
  { line: 'PIPELINING' },
  /** RFC 2595 4: STLS, only on a plaintext connection that can be upgraded. */
  { line: 'STLS', when: (ctx) => ctx.stlsConfigured && !ctx.secure },
  /** RFC 2449 6.7: we never delete messages on our own. */
  { line: 'EXPIRE NEVER' },
  /** RFC 2449 6.9: for support conversations only; clients must not depend on it. */
  { line: 'IMPLEMENTATION minimail' },
];

export function capabilityLines(ctx: SecurityContext): string[] {
  return CAPABILITIES.filter((capability) => capability.when?.(ctx) ?? true).map(
    (capability) => capability.line,
  );
}
