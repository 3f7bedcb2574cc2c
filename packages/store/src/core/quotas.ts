/**
 * Quotas (issue 18), the rules every backend shares: how a user's limits are found (their own,
 * else their domain's default, else none), and whether a change of usage stays within them.
 * RFC 9208 5.1/5.2: STORAGE counts the RFC 822 size of every message in every mailbox of the
 * user, MESSAGE the number of those messages.
 */
import { StoreError, type Quota, type QuotaResource, type QuotaUsage } from './types.js';

/** The limits and usage columns each backend reads for a user. */
export interface QuotaRow {
  user_bytes: number | null;
  domain_bytes: number | null;
  user_messages: number | null;
  domain_messages: number | null;
  used_bytes: number;
  used_messages: number;
}

export function quotaOf(row: QuotaRow): Quota {
  return {
    limitBytes: row.user_bytes ?? row.domain_bytes,
    source: row.user_bytes !== null ? 'user' : row.domain_bytes !== null ? 'domain' : 'none',
    limitMessages: row.user_messages ?? row.domain_messages,
    usedBytes: row.used_bytes,
    usedMessages: row.used_messages,
  };
}

/** Whether adding `bytes` in `messages` more messages keeps the user within every limit. */
export function fitsQuota(quota: Quota, bytes: number, messages: number): boolean {
  if (quota.limitBytes !== null && quota.usedBytes + bytes > quota.limitBytes) return false;
  if (quota.limitMessages !== null && quota.usedMessages + messages > quota.limitMessages) return false;
  return true;
}

/** At or past a limit: not one more message fits (SMTP answers 452 4.2.2 at RCPT). */
export function isQuotaFull(quota: Quota): boolean {
  return (
    (quota.limitBytes !== null && quota.usedBytes >= quota.limitBytes) ||
    (quota.limitMessages !== null && quota.usedMessages >= quota.limitMessages)
  );
}

/** The larger of the two usage ratios in percent (0 when there is no limit). */
export function quotaPercent(
  quota: Pick<Quota, 'limitBytes' | 'limitMessages'>,
  usedBytes: number,
  usedMessages: number,
): number {
  const ratio = (used: number, limit: number | null): number =>
    limit === null ? 0 : limit === 0 ? (used > 0 ? 100 : 0) : (used / limit) * 100;
  return Math.max(ratio(usedBytes, quota.limitBytes), ratio(usedMessages, quota.limitMessages));
}

/** A limit is a whole number (0 allowed: nothing more may be stored), or null for none. */
export function checkQuotaLimit(limit: number | null, resource: QuotaResource): number | null {
  if (limit !== null && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new StoreError(
      'INVALID',
      resource === 'STORAGE'
        ? 'a quota is a whole number of octets, at least 0'
        : 'a message quota is a whole number of messages, at least 0',
    );
  }
  return limit;
}

export function overQuotaError(address: string): StoreError {
  return new StoreError('OVER_QUOTA', `${address} is over quota`);
}

/** A limited user's quota as a backend reads it inside a delivery's transaction. */
export interface UserQuota {
  address: string;
  quota: Quota;
}

export interface QuotaPlan {
  /** Users who get no copy: it would pass their quota. */
  overQuota: number[];
  /** Limited users who get their copies, with their quota before. */
  usage: QuotaUsage[];
}

/**
 * Which users of a delivery with `quota: 'enforce'` get their copies: `copies` counts the new
 * messages per user (one per distinct target mailbox), `size` is the message's size, `quotas`
 * each of those users' quota as read inside the write transaction (PostgreSQL: with the user's
 * row locked, so two nodes cannot both pass the check); a user keeps every copy or none.
 */
export function planQuota(
  copies: ReadonlyMap<number, number>,
  size: number,
  quotas: ReadonlyMap<number, UserQuota>,
): QuotaPlan {
  const plan: QuotaPlan = { overQuota: [], usage: [] };
  for (const [userId, count] of copies) {
    const found = quotas.get(userId);
    if (found === undefined) throw new StoreError('NOT_FOUND', `no user with id ${userId}`);
    const { address, quota } = found;
    if (quota.limitBytes === null && quota.limitMessages === null) continue;
    if (!fitsQuota(quota, size * count, count)) plan.overQuota.push(userId);
    else plan.usage.push({ userId, address, before: quota, addedBytes: size * count, addedMessages: count });
  }
  return plan;
}

/** Users this delivery brought from below `percent` to at or above it (warned once per crossing). */
export function crossedWarning(usage: readonly QuotaUsage[], percent: number): QuotaUsage[] {
  return usage.filter(
    (entry) =>
      quotaPercent(entry.before, entry.before.usedBytes, entry.before.usedMessages) < percent &&
      quotaPercent(
        entry.before,
        entry.before.usedBytes + entry.addedBytes,
        entry.before.usedMessages + entry.addedMessages,
      ) >= percent,
  );
}

/** How many new messages each user gets: one per distinct target mailbox. */
export function copiesPerUser(targets: ReadonlyArray<{ userId: number }>): Map<number, number> {
  const copies = new Map<number, number>();
  for (const target of targets) copies.set(target.userId, (copies.get(target.userId) ?? 0) + 1);
  return copies;
}

/** Issue 18: a warning message at 90% of a limit. */
export const DEFAULT_QUOTA_WARNING_PERCENT = 90;

/** Past a limit (a COPY that made it so is rolled back: RFC 9208 4.4 [OVERQUOTA]). */
export function isOverQuota(quota: Quota): boolean {
  return (
    (quota.limitBytes !== null && quota.usedBytes > quota.limitBytes) ||
    (quota.limitMessages !== null && quota.usedMessages > quota.limitMessages)
  );
}
