import type { MailboxView } from '../session/mailbox-view.js';
import { readBodyIfPresent } from '../message-body.js';
import { untagged } from '../protocol/compiler.js';
import {
  dependsOnFlagsOnly,
  isSummary,
  matchesAll,
  needsContent,
  needsSummary,
  usesModseq,
  type SearchCandidate,
  type SearchedMessage,
} from '../search-evaluate.js';
import { assertRev2SearchKeys, isRev2 } from '../session/rev2.js';
import { SELECTED } from '../session/state.js';
import type { SearchKey } from '../protocol/search.js';
import { openContext } from './search-context.js';
import { indexedCandidates } from './search-index.js';
import { searchAnswer } from './search-results.js';
import {
  viewOf,
  type CommandCompletion,
  type CommandContext,
  type CommandOf,
  type CommandSpec,
} from './types.js';

/**
 * RFC 3501 6.4.4 SEARCH and 6.4.8 UID SEARCH, with CHARSET US-ASCII or UTF-8 (the parser refuses
 * others with NO [BADCHARSET]), RFC 7162 3.1.5 MODSEQ, RFC 4731 RETURN (ESEARCH), RFC 5182 SAVE
 * and `$`, RFC 5032 OLDER/YOUNGER. Content keys read one message at a time.
 */
export const searchCommand: CommandSpec<'SEARCH'> = {
  name: 'SEARCH',
  states: SELECTED,
  expungeNotices: 'uidOnly',
  async handler(ctx, command) {
    try {
      return await search(ctx, command);
    } catch (error) {
      // RFC 5182 2.1: a SEARCH with SAVE that fails empties the saved result.
      if (command.args.returnOptions?.includes('SAVE') === true) viewOf(ctx).savedResult = [];
      throw error;
    }
  },
};

async function search(ctx: CommandContext, command: CommandOf<'SEARCH'>): Promise<CommandCompletion> {
  const view = viewOf(ctx);
  const criteria = command.args.criteria;
  const contexts = openContext(ctx, command.tag, command.args.returnOptions);
  const withModseq = usesModseq(criteria);
  // RFC 7162 3.1: SEARCH with the MODSEQ key is a CONDSTORE enabling command.
  if (withModseq) await ctx.enable('CONDSTORE');
  const found = (await findMatches(ctx, criteria, false)).map(({ sequence, uid, message }) => ({
    sequence,
    uid,
    modseq: message.modseq,
  }));
  const answer = searchAnswer(found, {
    uid: command.uid,
    tag: command.tag,
    // RFC 9051 6.4.4: an IMAP4rev2 SEARCH always answers ESEARCH; no RETURN means RETURN (ALL).
    returnOptions: command.args.returnOptions ?? (isRev2(ctx.enabled) ? ['ALL'] : null),
    partial: command.args.partial,
    withModseq,
  });
  await contexts.beforeAnswer();
  if (answer.line !== null) await ctx.send(untagged(answer.line));
  if (answer.saved !== null) view.savedResult = answer.saved;
  // RFC 5267 4.3: a SEARCH context is in mailbox order (4.1), as `found` is.
  contexts.afterAnswer({ criteria, sortCriteria: null, uid: command.uid, initial: found.map((m) => m.uid) });
  return {
    text: `${command.uid ? 'UID SEARCH' : 'SEARCH'} completed${answer.saved ? ', result saved' : ''}`,
  };
}

/** A message that matched, with what SEARCH loaded of it (the summary when `withSummary`). */
export interface Match {
  sequence: number;
  uid: number;
  message: SearchedMessage;
}

/**
 * The messages of the selected mailbox that match every key, in sequence order (shared by
 * SEARCH and SORT). `withSummary` loads summaries even when no key needs one (SORT does).
 */
export async function findMatches(
  ctx: CommandContext,
  criteria: readonly SearchKey[],
  withSummary: boolean,
): Promise<Match[]> {
  const view = viewOf(ctx);
  // RFC 9051: no RECENT, NEW or OLD keys once IMAP4rev2 is enabled (SEARCH, SORT, THREAD).
  assertRev2SearchKeys(ctx.enabled, criteria);
  if (!withSummary && !needsSummary(criteria)) return findLeanMatches(ctx, view, criteria);
  const withContent = needsContent(criteria);
  const messages: SearchedMessage[] = await ctx.store.listMessages(view.mailboxId);
  // docs/adr/0036: BODY keys narrowed by the full-text index, asked after the list is read.
  const candidates = withContent ? await indexedCandidates(ctx.store, view.mailboxId, criteria) : null;
  const scope = {
    exists: view.exists,
    highestUid: view.highestUid,
    savedUids: new Set(view.savedResult),
    now: Date.now(),
  };
  const found: Match[] = [];
  // Both the view and the store's list are in ascending UID order: walk them side by side.
  let next = 0;
  for (let sequence = 1; sequence <= view.exists; sequence += 1) {
    const uid = view.uidAt(sequence) as number;
    while (next < messages.length && (messages[next] as SearchedMessage).uid < uid) next += 1;
    const message = messages[next];
    // Expunged elsewhere and not yet announced: it matches nothing (RFC 3501 7.4.1).
    if (message?.uid !== uid) continue;
    if (candidates !== null && !candidates.has(uid)) continue;
    let content: SearchCandidate['content'] = null;
    if (withContent) {
      if (!isSummary(message)) throw new Error('SEARCH of content without the message summary');
      const raw = await readBodyIfPresent(ctx.store, message.bodyHash);
      // Expunged (and its body removed) since the list was read: as if already gone.
      if (raw === null) continue;
      content = { raw, structure: await ctx.server.structures.structureOf(message.bodyHash, raw) };
    }
    const candidate: SearchCandidate = { sequence, message, recent: view.isRecent(uid), content };
    if (matchesAll(criteria, candidate, scope)) found.push({ sequence, uid, message });
  }
  return found;
}

/**
 * findMatches when no key needs more than UID, flags and modseq: from the store's lean list of the
 * mailbox (SEARCH UNSEEN of 100,000 messages builds no summaries), with an object only per match.
 * Criteria that depend on flags alone (ALL, UNSEEN, FLAGGED, KEYWORD, ...) are evaluated once per
 * distinct flag list (the store shares one array per distinct list) and \Recent state.
 */
async function findLeanMatches(
  ctx: CommandContext,
  view: MailboxView,
  criteria: readonly SearchKey[],
): Promise<Match[]> {
  const { uids, flags, modseqs } = await ctx.store.listMessageFlags(view.mailboxId);
  const scope = {
    exists: view.exists,
    highestUid: view.highestUid,
    savedUids: new Set(view.savedResult),
    now: Date.now(),
  };
  const memo = dependsOnFlagsOnly(criteria)
    ? { recent: new Map<readonly string[], boolean>(), old: new Map<readonly string[], boolean>() }
    : null;
  const found: Match[] = [];
  const viewUids = view.allUids;
  // Both the view and the store's list are in ascending UID order: walk them side by side.
  let next = 0;
  for (let index = 0; index < viewUids.length; index += 1) {
    const uid = viewUids[index] as number;
    while (next < uids.length && (uids[next] as number) < uid) next += 1;
    // Expunged elsewhere and not yet announced: it matches nothing (RFC 3501 7.4.1).
    if (next >= uids.length || uids[next] !== uid) continue;
    const messageFlags = flags[next] as readonly string[];
    const recent = view.isRecent(uid);
    const sequence = index + 1;
    let matched: boolean | undefined;
    const known = memo === null ? null : recent ? memo.recent : memo.old;
    if (known !== null) matched = known.get(messageFlags);
    let message: SearchedMessage | null = null;
    if (matched === undefined) {
      message = { uid, flags: messageFlags, modseq: modseqs[next] as number };
      matched = matchesAll(criteria, { sequence, message, recent, content: null }, scope);
      known?.set(messageFlags, matched);
    }
    if (matched)
      found.push({
        sequence,
        uid,
        message: message ?? { uid, flags: messageFlags, modseq: modseqs[next] as number },
      });
  }
  return found;
}
