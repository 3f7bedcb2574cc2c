/**
 * When to renew and how long to wait after a failure: pure arithmetic, so it is tested by table.
 * Renewal at two thirds of the lifetime (Let's Encrypt's own advice: a 90-day certificate is renewed
 * with 30 days left), so a CA outage of days never lets a certificate expire.
 */

export const ACME_SCHEDULE = {
  /** Renew once this share of the certificate's lifetime has passed. */
  renewFraction: 2 / 3,
  /** First retry after a failed order; doubled after each further failure... */
  retryMinMs: 60_000,
  /** ...up to this (one attempt every 6 hours keeps well inside Let's Encrypt's rate limits). */
  retryMaxMs: 6 * 3_600_000,
  /**
   * The longest single timer: the plan is re-read at least this often, so a changed clock or a
   * certificate replaced by hand is noticed (setTimeout itself cannot exceed 2^31-1 ms).
   */
  maxSleepMs: 12 * 3_600_000,
} as const;

export function renewalTime(
  notBefore: Date,
  notAfter: Date,
  fraction: number = ACME_SCHEDULE.renewFraction,
): Date {
  return new Date(notBefore.getTime() + (notAfter.getTime() - notBefore.getTime()) * fraction);
}

/** Delay before retry number `failures` (1 = after the first failure). */
export function retryDelayMs(
  failures: number,
  minMs: number = ACME_SCHEDULE.retryMinMs,
  maxMs: number = ACME_SCHEDULE.retryMaxMs,
): number {
  return Math.min(maxMs, minMs * 2 ** Math.max(0, failures - 1));
}
