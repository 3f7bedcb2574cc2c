import type { OutboundEntry } from '@minimail/store';
import { sendBounce } from './bounce.js';
import type { RelayContext } from './context.js';
import type { DsnRecipient } from './dsn.js';
import type { Group } from './grouping.js';
import { delayNoticeDue, nextAttemptAt } from './retry-schedule.js';
import { enhancedStatus, type Verdict } from './verdicts.js';

/** Stores each verdict: delivered -> gone; temporary -> retry or expire; permanent -> DSN. */
export async function recordOutcomes(
  ctx: RelayContext,
  group: Group,
  verdicts: Map<string, Verdict>,
): Promise<void> {
  const now = new Date();
  const bounces: Array<{ entry: OutboundEntry; recipient: DsnRecipient }> = [];
  const delays: Array<{ entry: OutboundEntry; recipient: DsnRecipient }> = [];
  for (const entry of group.entries) {
    const verdict = verdicts.get(entry.recipient) ?? { kind: 'temporary', diagnostic: 'no reply recorded' };
    if (verdict.kind === 'delivered') {
      await ctx.store.completeOutbound(entry.id);
      ctx.logger.info(
        { id: entry.id, recipient: entry.recipient, attempts: entry.attempts },
        'relay: delivered',
      );
      continue;
    }
    // This recipient's line in a DSN (RFC 3464 2.3), with the remote MTA when one answered.
    const dsnLine = (action: DsnRecipient['action'], status: string, diagnostic: string): DsnRecipient => ({
      address: entry.recipient,
      action,
      status,
      diagnostic,
      ...(verdict.remoteMta !== undefined ? { remoteMta: verdict.remoteMta } : {}),
    });
    if (verdict.kind === 'permanent') {
      bounces.push({ entry, recipient: dsnLine('failed', verdict.status, verdict.diagnostic) });
      continue;
    }
    const next = nextAttemptAt(ctx.schedule, entry, now);
    if (next === null) {
      // RFC 5321 4.5.4.1: given up after the queue lifetime; the DSN says so.
      const diagnostic = `gave up after ${entry.attempts} attempts: ${verdict.diagnostic}`;
      bounces.push({ entry, recipient: dsnLine('failed', '4.4.7', diagnostic) });
      continue;
    }
    await ctx.store.rescheduleOutbound(entry.id, next, verdict.diagnostic);
    ctx.logger.info(
      { id: entry.id, recipient: entry.recipient, attempts: entry.attempts, next, error: verdict.diagnostic },
      'relay: deferred',
    );
    if (delayNoticeDue(ctx.schedule, entry, now)) {
      const status = enhancedStatus(verdict.diagnostic, 451);
      delays.push({ entry, recipient: dsnLine('delayed', status, verdict.diagnostic) });
    }
  }
  if (delays.length > 0) await notify(ctx, group, delays, 'delay');
  if (bounces.length > 0) await notify(ctx, group, bounces, 'bounce');
}

/** One DSN for the group's failed (or delayed) recipients, then marks their entries. */
async function notify(
  ctx: RelayContext,
  group: Group,
  items: Array<{ entry: OutboundEntry; recipient: DsnRecipient }>,
  kind: 'bounce' | 'delay',
): Promise<void> {
  const first = items[0]!.entry;
  const outcome = await sendBounce({
    store: ctx.store,
    hostname: ctx.hostname,
    sender: group.sender,
    recipients: items.map((item) => item.recipient),
    original: await ctx.store.readBody(group.bodyHash),
    arrivalDate: first.createdAt,
  });
  for (const { entry, recipient } of items) {
    // The DSN is stored before the entry changes: a crash in between repeats the DSN, never loses it.
    if (kind === 'delay') await ctx.store.markOutboundDelayNotified(entry.id);
    else await ctx.store.failOutbound(entry.id, recipient.diagnostic);
  }
  ctx.logger.info(
    { ids: items.map((item) => item.entry.id), sender: group.sender, dsn: outcome, kind },
    kind === 'bounce' ? 'relay: bounced' : 'relay: delay notice',
  );
}
