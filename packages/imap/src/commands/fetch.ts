import {
  assertBinaryDecodable,
  binaryParts,
  isSummary,
  needsBytes,
  needsStructure,
  renderItem,
  servesWholeMessage,
  setsSeen,
  type FetchedMessage,
  type LoadedBody,
} from '../fetch-render.js';
import { readBodyIfPresent } from '../message-body.js';
import type { FetchItem } from '../protocol/fetch-items.js';
import type { ResponseValue } from '../protocol/compiler.js';
import type { MailboxView } from '../session/mailbox-view.js';
import { SELECTED } from '../session/state.js';
import { bad } from '../errors.js';
import { SAVED_RESULT } from '../protocol/sequence-set.js';
import { vanishedSince } from './qresync.js';
import { fetchFlagLines, flagLinesServe } from './fetch-flags.js';
import { resolveTargets, type Target } from './targets.js';
import { viewOf, type CommandContext, type CommandSpec } from './types.js';

/**
 * A FETCH of FLAGS, UID and MODSEQ only that names at least this share of the mailbox reads the
 * store's lean list of the whole mailbox (~0.4 us a message, measured on 100,000) and writes its
 * lines straight from it (fetch-flags.ts), rather than reading the targets' summaries (~2 us a
 * message, with a Date and strings each).
 */
const FLAG_LIST_MIN_SHARE = 0.2;

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
  // FLAGS/UID/MODSEQ of a big share of the mailbox: lines written straight from the lean list.
  if (targets.length > 0 && targets.length >= view.exists * FLAG_LIST_MIN_SHARE && flagLinesServe(items)) {
    await fetchFlagLines(ctx, view, targets, items, changedSince);
    return;
  }
  const summaries = await loadMessages(ctx, view, targets);
  if (changedSince !== null) {
    // RFC 7162 3.1.4.1: only messages whose mod-sequence is above the value are answered.
    for (const [uid, message] of summaries) if (message.modseq <= changedSince) summaries.delete(uid);
  }
  const parts = binaryParts(items);
  if (parts.length > 0) await checkBinaryDecodable(ctx, targets, summaries, parts);
  const seenChanged = new Set<number>();
  if (setsSeen(items) && !view.readOnly) {
    const unseen = targets
      .map((t) => summaries.get(t.uid))
      .filter((m): m is FetchedMessage => m !== undefined && !m.flags.includes('\\Seen'));
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
  const implied: FetchItem['kind'][] = ctx.enabled.has('CONDSTORE') ? ['UID', 'FLAGS', 'MODSEQ'] : ['FLAGS'];
  const withFlags = (uid: number): FetchItem[] => {
    if (!seenChanged.has(uid)) return items;
    const missing = implied.filter((kind) => !has(items, kind)).map((kind) => ({ kind }) as FetchItem);
    return [...items, ...missing];
  };
  const structureNeeded = needsStructure(items);
  const bytesNeeded = needsBytes(items);
  const wholeMessage = servesWholeMessage(items);
  for (const target of targets) {
    const message = summaries.get(target.uid);
    // Expunged by another session and not yet announced: nothing left to send (RFC 3501 7.4.1).
    if (!message) continue;
    let body: LoadedBody | null = null;
    if (structureNeeded) {
      if (!isSummary(message)) throw new Error('FETCH of the MIME structure without the message summary');
      body = await loadBody(ctx, message.bodyHash, bytesNeeded);
      // Expunged (and its body removed) since the summaries were read: as if already gone.
      if (body === null) continue;
    }
    const flags = view.withRecent(message.uid, message.flags);
    const entries: Array<readonly [string, ResponseValue]> = withFlags(message.uid).map((item) =>
      renderItem(item, message, flags, body),
    );
    const toldFlags = entries.some(([name]) => name === 'FLAGS');
    ctx.link(view.mailboxId, message.uid, bytesNeeded ? 'read' : 'listed');
    await view.sendFetch(target.sequence, entries, toldFlags ? message : null);
    if (wholeMessage && body?.raw) ctx.server.metrics?.message('out', body.raw.length);
  }
}

/**
 * RFC 3516 4.3: every part a BINARY item names can be decoded, or the FETCH fails with NO
 * [UNKNOWN-CTE] before it has sent or changed anything. Reads each target's structure (the one
 * recorded at delivery, so usually no body); a message whose body is gone meanwhile is skipped.
 */
async function checkBinaryDecodable(
  ctx: CommandContext,
  targets: Target[],
  summaries: Map<number, FetchedMessage>,
  parts: ReadonlyArray<readonly number[]>,
): Promise<void> {
  for (const target of targets) {
    const message = summaries.get(target.uid);
    if (message === undefined || !isSummary(message)) continue;
    const body = await loadBody(ctx, message.bodyHash, false);
    if (body !== null) assertBinaryDecodable(body.structure, parts);
  }
}

/**
 * ENVELOPE, BODY and BODYSTRUCTURE come from the structure recorded at delivery, without reading
 * the body; the bytes are read only for items that serve them (or when no usable structure was
 * recorded). Null when the body is gone.
 */
async function loadBody(
  ctx: CommandContext,
  bodyHash: string,
  bytesNeeded: boolean,
): Promise<LoadedBody | null> {
  if (!bytesNeeded) {
    const structure = await ctx.server.structures.structureWithoutBody(bodyHash);
    if (structure !== null) return { raw: null, structure };
  }
  const raw = await readBodyIfPresent(ctx.store, bodyHash);
  if (raw === null) return null;
  return { raw, structure: await ctx.server.structures.structureOf(bodyHash, raw) };
}

/** The targets' summaries in one store read (never one per message). */
async function loadMessages(
  ctx: CommandContext,
  view: MailboxView,
  targets: Target[],
): Promise<Map<number, FetchedMessage>> {
  const byUid = new Map<number, FetchedMessage>();
  const messages = await ctx.store.getMessages(
    view.mailboxId,
    targets.map((target) => target.uid),
  );
  for (const message of messages) byUid.set(message.uid, message);
  return byUid;
}

export const fetchCommand: CommandSpec<'FETCH'> = {
  name: 'FETCH',
  states: SELECTED,
  expungeNotices: 'uidOnly',
  async handler(ctx, command) {
    const view = viewOf(ctx);
    const { sequence, items, changedSince, vanished } = command.args;
    // RFC 7162 3.2.6: the VANISHED modifier needs ENABLE QRESYNC first.
    if (vanished && !ctx.enabled.has('QRESYNC')) throw bad('QRESYNC is not enabled');
    const targets = resolveTargets(view, sequence, command.uid);
    // RFC 7162 3.1: FETCH with the MODSEQ item or the CHANGEDSINCE modifier enables CONDSTORE.
    if (changedSince !== null || has(items, 'MODSEQ')) await ctx.enable('CONDSTORE');
    // RFC 7162 3.2.6: first VANISHED (EARLIER) for the UIDs of the set expunged since then.
    // With `$` (RFC 5182) the set is the saved UIDs, some of which may have gone since.
    if (vanished && changedSince !== null) {
      const uids =
        sequence === SAVED_RESULT ? view.savedResult.map((uid) => ({ start: uid, end: uid })) : sequence;
      await view.sendVanishedEarlier(await vanishedSince(ctx, view, uids, changedSince));
    }
    await fetchMessages(ctx, view, targets, items, command.uid, changedSince);
    return { text: `${command.uid ? 'UID FETCH' : 'FETCH'} completed` };
  },
};
