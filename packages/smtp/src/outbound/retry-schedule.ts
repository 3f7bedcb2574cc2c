import {
  DEFAULT_DELAY_NOTICE_AFTER_MS,
  DEFAULT_MAX_QUEUE_AGE_MS,
  DEFAULT_RETRY_DELAYS_MS,
} from './limits.js';

/** When to try again, when to give up, and when to tell the sender it is taking long. */
export interface RetrySchedule {
  /** Delay after the 1st, 2nd, ... failed attempt; the last one repeats. Must not be empty. */
  delaysMs: number[];
  /** An entry older than this is bounced at its next temporary failure (RFC 5321 4.5.4.1). */
  maxAgeMs: number;
  /** After this long undelivered, one "delayed" DSN goes to the sender. */
  delayNoticeAfterMs: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = {
  delaysMs: DEFAULT_RETRY_DELAYS_MS,
  maxAgeMs: DEFAULT_MAX_QUEUE_AGE_MS,
  delayNoticeAfterMs: DEFAULT_DELAY_NOTICE_AFTER_MS,
};

/**
 * The next attempt after `attempts` failed ones, or null once the entry has outlived the queue
 * lifetime (then it bounces). The backoff grows with each attempt, as the schedule lists.
 */
export function nextAttemptAt(
  schedule: RetrySchedule,
  entry: { attempts: number; createdAt: Date },
  now: Date,
): Date | null {
  if (now.getTime() - entry.createdAt.getTime() >= schedule.maxAgeMs) return null;
  const index = Math.min(Math.max(entry.attempts, 1), schedule.delaysMs.length) - 1;
  const delay = schedule.delaysMs[index] ?? 0;
  return new Date(now.getTime() + delay);
}

/** Whether a still-undelivered entry is due its one delay notice. */
export function delayNoticeDue(
  schedule: RetrySchedule,
  entry: { createdAt: Date; delayNotified: boolean },
  now: Date,
): boolean {
  return !entry.delayNotified && now.getTime() - entry.createdAt.getTime() >= schedule.delayNoticeAfterMs;
}
