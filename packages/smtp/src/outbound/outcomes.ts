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
  const relayed: Array<{ entry: OutboundEntry; recipient: DsnRecipient }> = [];
  for (const entry of group.entries) {
    const verdict = verdicts.get(entry.recipient) ?? { kind: 'temporary', diagnostic: 'no reply recorded' };
    // This recipient's line in a DSN (RFC 3464 2.3), with the remote MTA when one answered.
    const dsnLine = (action: DsnRecipient['action'], status: string, diagnostic: string): DsnRecipient => ({
      address: entry.recipient,
      action,
      status,
      diagnostic,
      ...(verdict.remoteMta !== undefined ? { remoteMta: verdict.remoteMta } : {}),
      ...(entry.dsn?.orcpt !== undefined ? { originalRecipient: entry.dsn.orcpt } : {}),
    });
    if (verdict.kind === 'delivered') {
      // RFC 3461 5.2.2: NOTIFY=SUCCESS and a next hop without DSN: we report "relayed" (the
      // entry is completed after the notice is stored: the notice needs the body).
      if (wants(entry, 'SUCCESS') && verdict.dsnPassed !== true) {
        relayed.push({
          entry,
          recipient: dsnLine('relayed', '2.0.0', 'relayed to a server that does not offer DSN'),
        });
        continue;
      }
      await ctx.store.completeOutbound(entry.id);
      ctx.logger.info(
        { id: entry.id, recipient: entry.recipient, attempts: entry.attempts },
        'relay: delivered',
      );
      continue;
    }
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
    if (delayNoticeDue(ctx.schedule, entry, now) && wants(entry, 'DELAY')) {
      const status = enhancedStatus(verdict.diagnostic, 451);
      delays.push({ entry, recipient: dsnLine('delayed', status, verdict.diagnostic) });
    }
  }
  if (delays.length > 0) await notify(ctx, group, delays, 'delay');
  if (relayed.length > 0) await notify(ctx, group, relayed, 'relayed');
  if (bounces.length > 0) {
    // RFC 3461 4.1: NOTIFY without FAILURE (or NEVER) asks for no failure report.
    const silent = bounces.filter((item) => !wants(item.entry, 'FAILURE'));
    for (const { entry, recipient } of silent) await ctx.store.failOutbound(entry.id, recipient.diagnostic);
    if (silent.length > 0)
      ctx.logger.info({ ids: silent.map((item) => item.entry.id) }, 'relay: failed; NOTIFY asked for no DSN');
    const told = bounces.filter((item) => wants(item.entry, 'FAILURE'));
    if (told.length > 0) await notify(ctx, group, told, 'bounce');
  }
}

/**
 * RFC 3461 4.1: which notices a recipient asked for. Without NOTIFY the default is failure and
 * delay notices, never success.
 */
function wants(entry: OutboundEntry, kind: 'SUCCESS' | 'FAILURE' | 'DELAY'): boolean {
  const notify = entry.dsn?.notify;
  return notify === undefined ? kind !== 'SUCCESS' : notify.includes(kind);
}

/** One DSN for the group's failed (or delayed) recipients, then marks their entries. */
async function notify(
  ctx: RelayContext,
  group: Group,
  items: Array<{ entry: OutboundEntry; recipient: DsnRecipient }>,
  kind: 'bounce' | 'delay' | 'relayed',
): Promise<void> {
  const first = items[0]!.entry;
  const outcome = await sendBounce({
    store: ctx.store,
    hostname: ctx.hostname,
    sender: group.sender,
    recipients: items.map((item) => item.recipient),
    original: await ctx.store.readBody(group.bodyHash),
    arrivalDate: first.createdAt,
    ...(first.dsn?.envid !== undefined ? { envid: first.dsn.envid } : {}),
    ...(first.dsn?.ret === 'FULL' ? { returnFull: true } : {}),
  });
  for (const { entry, recipient } of items) {
    // The DSN is stored before the entry changes: a crash in between repeats the DSN, never loses it.
    if (kind === 'delay') await ctx.store.markOutboundDelayNotified(entry.id);
    else if (kind === 'bounce') await ctx.store.failOutbound(entry.id, recipient.diagnostic);
    else await ctx.store.completeOutbound(entry.id);
  }
  ctx.logger.info(
    { ids: items.map((item) => item.entry.id), sender: group.sender, dsn: outcome, kind },
    kind === 'bounce' ? 'relay: bounced' : kind === 'delay' ? 'relay: delay notice' : 'relay: relayed notice',
  );
}
