import { StoreError, type MessageSummary } from '@minimail/store';
import { needsBody, renderItem, servesWholeMessage, setsSeen, type LoadedBody } from '../fetch-render.js';
import type { FetchItem } from '../protocol/fetch-items.js';
import { fetchResponse, type ResponseValue } from '../protocol/compiler.js';
import type { MailboxView } from '../session/mailbox-view.js';
import { SELECTED } from '../session/state.js';
import { resolveTargets, type Target } from './targets.js';
import { viewOf, type CommandContext, type CommandSpec } from './types.js';

/**
 * Above this many targets one listMessages call is cheaper than a getMessage per message. The
 * summaries carry no bodies (about 200 bytes each), so even a big mailbox's list is small.
 */
const LIST_ALL_THRESHOLD = 64;

const has = (items: readonly FetchItem[], kind: FetchItem['kind']): boolean =>
  items.some((item) => item.kind === kind);

/**
 * RFC 3501 6.4.5 FETCH and 6.4.8 UID FETCH, with RFC 7162 MODSEQ and CHANGEDSINCE. Streams: one
 * message's body is read, answered and written at a time, and the next is read only once the
 * socket has taken the previous one.
 */
async function fetchMessages(
  ctx: CommandContext,
  view: MailboxView,
  targets: Target[],
  requested: readonly FetchItem[],
  byUid: boolean,
  changedSince: number | null,
) {
  const items: FetchItem[] = [...requested];
  // RFC 3501 6.4.8: UID FETCH always answers with the UID.
  if (byUid && !has(items, 'UID')) items.unshift({ kind: 'UID' });
  // RFC 7162 3.1.4.1: CHANGEDSINCE implies the MODSEQ item.
  if (changedSince !== null && !has(items, 'MODSEQ')) items.push({ kind: 'MODSEQ' });
  const summaries = await loadSummaries(ctx, view, targets);
  if (changedSince !== null) {
    // RFC 7162 3.1.4.1: only messages whose mod-sequence is above the value are answered.
    for (const [uid, message] of summaries) if (message.modseq <= changedSince) summaries.delete(uid);
  }
  const seenChanged = new Set<number>();
  if (setsSeen(items) && !view.readOnly) {
    const unseen = targets
      .map((t) => summaries.get(t.uid))
      .filter((m): m is MessageSummary => m !== undefined && !m.flags.includes('\\Seen'));
    if (unseen.length > 0) {
      const changed = await ctx.store.setFlags(
        view.mailboxId,
        unseen.map((m) => m.uid),
        'add',
        ['\\Seen'],
      );
      for (const message of changed) {
        summaries.set(message.uid, message);
        seenChanged.add(message.uid);
      }
    }
  }
  // RFC 3501 6.4.5: when \Seen was set implicitly, the new FLAGS are part of the response, and
  // RFC 7162 3.2.4 (asked of CONDSTORE-only servers by 3.1.4.2): on a CONDSTORE-aware session so
  // are the UID and the new MODSEQ.
  const implied: FetchItem['kind'][] = ctx.condstoreEnabled ? ['UID', 'FLAGS', 'MODSEQ'] : ['FLAGS'];
  const withFlags = (uid: number): FetchItem[] => {
    if (!seenChanged.has(uid)) return items;
    const missing = implied.filter((kind) => !has(items, kind)).map((kind) => ({ kind }) as FetchItem);
    return [...items, ...missing];
  };
  const bodyNeeded = needsBody(items);
  const wholeMessage = servesWholeMessage(items);
  for (const target of targets) {
    const message = summaries.get(target.uid);
    // Expunged by another session and not yet announced: nothing left to send (RFC 3501 7.4.1).
    if (!message) continue;
    let body: LoadedBody | null = null;
    if (bodyNeeded) {
      const raw = await readBodyIfPresent(ctx, message.bodyHash);
      // Expunged (and its body removed) since the summaries were read: as if already gone.
      if (raw === null) continue;
      body = { raw, structure: await ctx.server.structures.structureOf(message.bodyHash, raw) };
    }
    const flags = view.withRecent(message.uid, message.flags);
    const entries: Array<readonly [string, ResponseValue]> = withFlags(message.uid).map((item) =>
      renderItem(item, message, flags, body),
    );
    if (entries.some(([name]) => name === 'FLAGS')) view.rememberFlags(message.uid, message.flags);
    await ctx.send(fetchResponse(target.sequence, entries));
    if (wholeMessage && body !== null) ctx.server.metrics?.message('out', body.raw.length);
  }
}

async function readBodyIfPresent(ctx: CommandContext, bodyHash: string): Promise<Buffer | null> {
  try {
    return await ctx.store.readBody(bodyHash);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}

async function loadSummaries(
  ctx: CommandContext,
  view: MailboxView,
  targets: Target[],
): Promise<Map<number, MessageSummary>> {
  const byUid = new Map<number, MessageSummary>();
  if (targets.length > LIST_ALL_THRESHOLD) {
    const wanted = new Set(targets.map((t) => t.uid));
    for (const message of await ctx.store.listMessages(view.mailboxId))
      if (wanted.has(message.uid)) byUid.set(message.uid, message);
    return byUid;
  }
  for (const target of targets) {
    const message = await ctx.store.getMessage(view.mailboxId, target.uid);
    if (message) byUid.set(message.uid, message);
  }
  return byUid;
}

export const fetchCommand: CommandSpec<'FETCH'> = {
  name: 'FETCH',
  states: SELECTED,
  expungeNotices: 'uidOnly',
  async handler(ctx, command) {
    const view = viewOf(ctx);
    const { sequence, items, changedSince } = command.args;
    const targets = resolveTargets(view, sequence, command.uid);
    // RFC 7162 3.1: FETCH with the MODSEQ item or the CHANGEDSINCE modifier enables CONDSTORE.
    if (changedSince !== null || has(items, 'MODSEQ')) await ctx.enableCondstore();
    await fetchMessages(ctx, view, targets, items, command.uid, changedSince);
    return { text: `${command.uid ? 'UID FETCH' : 'FETCH'} completed` };
  },
};
