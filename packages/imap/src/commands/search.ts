import type { ImapStore } from '@minimail/store';
import { readBodyIfPresent } from '../message-body.js';
import { untagged } from '../protocol/compiler.js';
import {
  isSummary,
  matchesAll,
  needsContent,
  needsSummary,
  usesModseq,
  type SearchCandidate,
  type SearchedMessage,
} from '../search-evaluate.js';
import { SELECTED } from '../session/state.js';
import { viewOf, type CommandSpec } from './types.js';

/**
 * The mailbox's messages in UID order: summaries when a key needs size, date or content, else the
 * store's lean UID/flags/modseq list (SEARCH UNSEEN of 100,000 messages builds no summaries).
 */
async function loadMessages(
  store: ImapStore,
  mailboxId: number,
  withSummary: boolean,
): Promise<SearchedMessage[]> {
  if (withSummary) return store.listMessages(mailboxId);
  const { uids, flags, modseqs } = await store.listMessageFlags(mailboxId);
  return uids.map((uid, index) => ({ uid, flags: flags[index] ?? [], modseq: modseqs[index] ?? 0 }));
}

/**
 * RFC 3501 6.4.4 SEARCH and 6.4.8 UID SEARCH, with CHARSET US-ASCII or UTF-8 (the parser refuses
 * others with NO [BADCHARSET]), and RFC 7162 3.1.5 MODSEQ. Content keys read one message at a time.
 */
export const searchCommand: CommandSpec<'SEARCH'> = {
  name: 'SEARCH',
  states: SELECTED,
  expungeNotices: 'uidOnly',
  async handler(ctx, command) {
    const view = viewOf(ctx);
    const criteria = command.args.criteria;
    const withContent = needsContent(criteria);
    const withModseq = usesModseq(criteria);
    // RFC 7162 3.1: SEARCH with the MODSEQ key is a CONDSTORE enabling command.
    if (withModseq) await ctx.enable('CONDSTORE');
    let highestModseq = 0;
    const messages = await loadMessages(ctx.store, view.mailboxId, needsSummary(criteria));
    const scope = { exists: view.exists, highestUid: view.highestUid };
    const found: number[] = [];
    // Both the view and the store's list are in ascending UID order: walk them side by side.
    let next = 0;
    for (let sequence = 1; sequence <= view.exists; sequence += 1) {
      const uid = view.uidAt(sequence) as number;
      while (next < messages.length && (messages[next] as SearchedMessage).uid < uid) next += 1;
      const message = messages[next];
      // Expunged elsewhere and not yet announced: it matches nothing (RFC 3501 7.4.1).
      if (message?.uid !== uid) continue;
      let content: SearchCandidate['content'] = null;
      if (withContent) {
        if (!isSummary(message)) throw new Error('SEARCH of content without the message summary');
        const raw = await readBodyIfPresent(ctx.store, message.bodyHash);
        // Expunged (and its body removed) since the list was read: as if already gone.
        if (raw === null) continue;
        content = { raw, structure: await ctx.server.structures.structureOf(message.bodyHash, raw) };
      }
      const candidate: SearchCandidate = { sequence, message, recent: view.isRecent(uid), content };
      if (!matchesAll(criteria, candidate, scope)) continue;
      found.push(command.uid ? uid : sequence);
      highestModseq = Math.max(highestModseq, message.modseq);
    }
    // RFC 7162 3.1.5: with a MODSEQ key the result ends with the highest mod-sequence of the
    // messages found, `(MODSEQ n)`, and has no such suffix when nothing was found.
    const suffix = withModseq && highestModseq > 0 ? [`(MODSEQ ${highestModseq})`] : [];
    await ctx.send(untagged(['SEARCH', ...found, ...suffix].join(' ')));
    return { text: `${command.uid ? 'UID SEARCH' : 'SEARCH'} completed` };
  },
};
