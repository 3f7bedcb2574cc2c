import { bodyHashOf } from '../../core/body-hash.js';
import type { AsyncWriteOps } from '../../core/write-ops.js';
import { copiesPerUser, isOverQuota, planQuota, type QuotaPlan, type UserQuota } from '../../core/quotas.js';
import { StoreError, type DeliveredCopy, type DeliveryResult, type Mailbox } from '../../core/types.js';
import * as appPasswords from './app-passwords.js';
import * as quotas from './quotas.js';
import { recordSortKeys, storeBody } from './bodies.js';
import * as directory from './directory.js';
import * as history from './imap-history.js';
import { setDkimKey } from './dkim-keys.js';
import * as mailboxes from './mailboxes.js';
import * as messages from './messages.js';
import * as outbound from './outbound.js';
import * as sieve from './sieve-scripts.js';
import { indexBody } from './search.js';
import type { Tx } from './write-queue.js';

/**
 * The core's write table (core/write-ops.ts) on PostgreSQL: each op runs on the batch
 * transaction's client inside its own savepoint (write-queue.ts) and records its changes there.
 */
export const PG_WRITE_OPS: AsyncWriteOps<Tx> = {
  addDomain: (tx, name) => directory.addDomain(tx, name),
  removeDomain: (tx, name) => directory.removeDomain(tx, name),
  addUser: (tx, address, hash) => directory.addUser(tx, address, hash),
  ensureUser: (tx, address) => directory.ensureUser(tx, address),
  setPassword: (tx, address, hash) => directory.setPassword(tx, address, hash),
  removeUser: async (tx, address) => {
    for (const mailbox of await directory.removeUser(tx, address))
      tx.record(mailbox.id, 'mailbox', null, mailbox.highestModseq);
  },
  addAlias: (tx, source, destination) => directory.addAlias(tx, source, destination),
  removeAlias: (tx, source, destination) => directory.removeAlias(tx, source, destination),
  createMailbox: (tx, userId, name, specialUse) => mailboxes.createMailbox(tx, userId, name, specialUse),
  renameMailbox: (tx, userId, from, to) => mailboxes.renameMailbox(tx, userId, from, to),
  deleteMailbox: (tx, userId, name) => mailboxes.deleteMailbox(tx, userId, name),
  setSubscribed: (tx, userId, name, subscribed) => mailboxes.setSubscribed(tx, userId, name, subscribed),
  recordSortKeys: (tx, entries) => recordSortKeys(tx, entries),
  deliver: async (tx, delivery) => {
    const raw = delivery.raw;
    const seenMailboxes = new Set<number>();
    const targets: Mailbox[] = [];
    // Sieve imap4flags (RFC 5232): a target's own flags replace the request's.
    const flagsOf = new Map<number, typeof delivery.flags>();
    for (const target of delivery.targets) {
      const mailbox =
        'mailboxId' in target
          ? await mailboxes.requireSelectable(tx, target.mailboxId)
          : await mailboxes.requireSelectableNamed(tx, target.userId, target.mailbox ?? 'INBOX');
      if (seenMailboxes.has(mailbox.id)) continue;
      seenMailboxes.add(mailbox.id);
      targets.push(mailbox);
      flagsOf.set(mailbox.id, target.flags ?? delivery.flags);
    }
    let plan: QuotaPlan | null = null;
    if (delivery.enforceQuota) {
      const copies = copiesPerUser(targets);
      const found = new Map<number, UserQuota>();
      // In id order, so two batches locking the same users cannot deadlock on their order.
      for (const userId of [...copies.keys()].sort((a, b) => a - b))
        found.set(userId, await quotas.quotaOfUser(tx, userId, true));
      plan = planQuota(copies, raw.length, found);
    }
    const over = plan?.overQuota ?? [];
    const kept = targets.filter((mailbox) => !over.includes(mailbox.userId));
    if (plan && kept.length === 0 && delivery.recipients.length === 0) {
      throw new StoreError('OVER_QUOTA', 'every recipient is over quota');
    }
    const bodyHash = bodyHashOf(raw);
    await storeBody(tx, bodyHash, raw, delivery.structure, delivery.sortKeys ?? null);
    // The search index is written in the delivery's own transaction (docs/adr/0017).
    if (delivery.search) await indexBody(tx, bodyHash, delivery.search);
    const copies: DeliveredCopy[] = [];
    for (const mailbox of kept) {
      const added = await messages.addMessage(
        tx,
        mailbox.id,
        bodyHash,
        raw.length,
        delivery.internalDate.getTime(),
        flagsOf.get(mailbox.id) ?? delivery.flags,
      );
      copies.push({ ...added, mailboxId: mailbox.id, userId: mailbox.userId });
    }
    const queued: number[] = [];
    for (const [i, recipient] of delivery.recipients.entries())
      queued.push(
        await outbound.enqueue(tx, delivery.sender, recipient, bodyHash, raw.length, delivery.dsn[i] ?? null),
      );
    return plan
      ? { copies, queued, bodyHash, overQuota: plan.overQuota, quotaUsage: plan.usage }
      : { copies, queued, bodyHash };
  },
  deliverAll: async (tx, deliveries) => {
    // One op, one savepoint (write-queue.ts): a failure in any delivery rolls back all of them.
    const results: DeliveryResult[] = [];
    for (const delivery of deliveries) results.push(await PG_WRITE_OPS.deliver(tx, delivery));
    return results;
  },
  setFlags: async (tx, mailboxId, uids, mode, flags) =>
    (await messages.changeFlags(tx, mailboxId, uids, mode, flags, null)).changed,
  setFlagsUnchangedSince: (tx, mailboxId, uids, mode, flags, unchangedSince) =>
    messages.changeFlags(tx, mailboxId, uids, mode, flags, unchangedSince),
  expunge: (tx, mailboxId, uids) => messages.expunge(tx, mailboxId, uids),
  copyMessages: async (tx, from, uids, to) => {
    const result = await messages.copyMessages(tx, from, uids, to);
    // RFC 9208 4.4: a COPY that would pass the user's quota fails (the triggers have counted it,
    // with the user's row locked by their UPDATE); throwing rolls this op's savepoint back.
    if (result.targetUids.length > 0) {
      const { userId } = await mailboxes.requireSelectable(tx, to);
      if (isOverQuota((await quotas.quotaOfUser(tx, userId)).quota)) {
        throw new StoreError('OVER_QUOTA', 'the copy would pass the quota');
      }
    }
    return result;
  },
  moveMessages: (tx, from, uids, to) => messages.moveMessages(tx, from, uids, to),
  claimOutbound: (tx, limit, leaseMs) => outbound.claimOutbound(tx, limit, leaseMs),
  completeOutbound: (tx, id) => outbound.completeOutbound(tx, id),
  rescheduleOutbound: (tx, id, at, error) => outbound.rescheduleOutbound(tx, id, at, error),
  failOutbound: (tx, id, error) => outbound.failOutbound(tx, id, error),
  retryOutbound: (tx, id) => outbound.retryOutbound(tx, id),
  markOutboundDelayNotified: (tx, id) => outbound.markOutboundDelayNotified(tx, id),
  setDkimKey: (tx, domain, key) => setDkimKey(tx, domain, key),
  addAppPassword: (tx, address, name, hash) => appPasswords.addAppPassword(tx, address, name, hash),
  removeAppPassword: (tx, address, name) => appPasswords.removeAppPassword(tx, address, name),
  setQuota: (tx, address, limit, resource) => quotas.setQuota(tx, address, limit, resource),
  setDomainQuota: (tx, domain, limit, resource) => quotas.setDomainQuota(tx, domain, limit, resource),
  putSieveScript: (tx, userId, name, content, now) => sieve.putSieveScript(tx, userId, name, content, now),
  deleteSieveScript: (tx, userId, name) => sieve.deleteSieveScript(tx, userId, name),
  renameSieveScript: (tx, userId, from, to) => sieve.renameSieveScript(tx, userId, from, to),
  activateSieveScript: (tx, userId, name) => sieve.activateSieveScript(tx, userId, name),
  claimVacationReply: (tx, userId, handle, sender, days, now) =>
    sieve.claimVacationReply(tx, userId, handle, sender, days, now),
  indexBodies: async (tx, entries) => {
    let indexed = 0;
    for (const { hash, body } of entries) if (await indexBody(tx, hash, body)) indexed += 1;
    return indexed;
  },
  pruneChanges: async (tx, before) => {
    await tx.query('DELETE FROM changes WHERE created_at < $1', [before]);
  },
  pruneExpungedHistory: (tx, before) => history.pruneExpunged(tx, before),
  claimRecent: (tx, mailboxId, uid) => history.claimRecent(tx, mailboxId, uid),
};
