/**
 * Stores what a reader yields into one user's mailboxes, idempotently: a message is recognised as
 * already imported when its folder already holds a message with the same bytes (the store's body
 * hash is the sha256 of the stored bytes), counted with multiplicity, so running an import twice, or
 * again after it was interrupted, stores each message once. Flags and internal dates come with the
 * message; UIDs are the store's, given in source order. New messages go to the store in batches,
 * each one transaction (`deliverAll`), so a big mailbox costs one commit per few hundred messages.
 */
import { createHash } from 'node:crypto';
import { MAILBOX_IO_LIMITS } from './limits.js';
import type { ImportDelivery, ImportStore, SourceItem, SourceMessage } from './types.js';

export interface ImportProgress {
  folder: string;
  imported: number;
  existing: number;
  skipped: number;
}

export interface ImportReport {
  folders: ImportProgress[];
  /** Messages the readers could not use (too large, malformed), with the reason. */
  problems: Array<{ origin: string; reason: string }>;
}

export interface ImportOptions {
  /** Called after every stored or skipped message, and when a folder starts. */
  onProgress?: (progress: ImportProgress) => void;
  /** Batches in flight at once (default MAILBOX_IO_LIMITS.deliveryWindow). */
  deliveryWindow?: number;
  /** Messages per store transaction (default MAILBOX_IO_LIMITS.deliveryBatch). */
  deliveryBatch?: number;
}

/** Hex sha256: must equal the store's body hash of the same bytes. */
export function bodyHashOf(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

interface FolderState {
  mailboxId: number;
  /** Body hash -> how many copies the folder has that no source message has claimed yet. */
  unclaimed: Map<string, number>;
  progress: ImportProgress;
}

export async function importMessages(
  store: ImportStore,
  userId: number,
  source: AsyncIterable<SourceItem>,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const window = Math.max(1, options.deliveryWindow ?? MAILBOX_IO_LIMITS.deliveryWindow);
  const batchSize = Math.max(1, options.deliveryBatch ?? MAILBOX_IO_LIMITS.deliveryBatch);
  const folders = new Map<string, FolderState>();
  const report: ImportReport = { folders: [], problems: [] };
  let known = new Map((await store.listMailboxes(userId)).map((m) => [m.name, m]));
  type Pending = { message: SourceMessage; state: FolderState; request: ImportDelivery };
  const inFlight: Array<{ delivery: Promise<unknown>; items: Pending[] }> = [];
  let batch: Pending[] = [];
  let batchBytes = 0;

  async function mailboxFor(name: string): Promise<number> {
    const existing = known.get(name);
    if (existing && !existing.noselect) return existing.id;
    // Parents first (`A` before `A/B`); a store that makes them itself answers ALREADY_EXISTS.
    const parts = name.split('/');
    for (let depth = 1; depth <= parts.length; depth++) {
      const prefix = parts.slice(0, depth).join('/');
      if (known.has(prefix) && !(depth === parts.length && known.get(prefix)!.noselect)) continue;
      try {
        await store.createMailbox(userId, prefix);
      } catch (err) {
        if ((err as { code?: string }).code !== 'ALREADY_EXISTS') throw err;
      }
    }
    known = new Map((await store.listMailboxes(userId)).map((m) => [m.name, m]));
    const created = known.get(name);
    if (!created || created.noselect) throw new Error(`could not create mailbox ${name}`);
    return created.id;
  }

  async function folderState(name: string): Promise<FolderState> {
    let state = folders.get(name);
    if (state) return state;
    const mailboxId = await mailboxFor(name);
    const unclaimed = new Map<string, number>();
    for (const message of await store.listMessages(mailboxId)) {
      unclaimed.set(message.bodyHash, (unclaimed.get(message.bodyHash) ?? 0) + 1);
    }
    state = { mailboxId, unclaimed, progress: { folder: name, imported: 0, existing: 0, skipped: 0 } };
    folders.set(name, state);
    report.folders.push(state.progress);
    options.onProgress?.({ ...state.progress });
    return state;
  }

  /** Sends the batch being gathered to the store (one transaction). */
  function send(): void {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    batchBytes = 0;
    const delivery = store.deliverAll(items.map((item) => item.request));
    // Marked handled now; `drain` awaits it (and throws) in order.
    delivery.catch(() => undefined);
    inFlight.push({ delivery, items });
  }

  /**
   * Sends the gathered batch, then waits for the oldest batches until at most `limit` are in
   * flight; each message's `done` runs in source order, after its batch's commit, so a resume
   * point never passes an uncommitted message.
   */
  async function drain(limit: number): Promise<void> {
    send();
    while (inFlight.length > limit) {
      const { delivery, items } = inFlight.shift()!;
      await delivery;
      for (const { message, state } of items) {
        state.progress.imported++;
        await message.done?.();
        options.onProgress?.({ ...state.progress });
      }
    }
  }

  for await (const item of source) {
    if (item.kind === 'folder') {
      await folderState(item.folder);
      await store.setSubscribed(userId, item.folder, item.subscribed);
      continue;
    }
    if (item.kind === 'skip') {
      report.problems.push({ origin: item.origin, reason: item.reason });
      const state = await folderState(item.folder);
      state.progress.skipped++;
      options.onProgress?.({ ...state.progress });
      continue;
    }
    const state = await folderState(item.folder);
    const hash = bodyHashOf(item.raw);
    const left = state.unclaimed.get(hash) ?? 0;
    if (left > 0) {
      state.unclaimed.set(hash, left - 1);
      state.progress.existing++;
      // Earlier deliveries must be durable before this message's `done` moves a resume point on.
      await drain(0);
      await item.done?.();
      options.onProgress?.({ ...state.progress });
      continue;
    }
    // Gathered in source order: the store assigns UIDs in the order of a batch, batches in turn.
    batch.push({
      message: item,
      state,
      request: {
        raw: item.raw,
        targets: [{ mailboxId: state.mailboxId }],
        flags: item.flags.filter((flag) => flag !== '\\Recent'),
        internalDate: item.internalDate,
      },
    });
    batchBytes += item.raw.length;
    if (batch.length >= batchSize || batchBytes >= MAILBOX_IO_LIMITS.deliveryBatchBytes)
      await drain(window - 1);
  }
  await drain(0);
  return report;
}
