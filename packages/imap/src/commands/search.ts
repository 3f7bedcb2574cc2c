import type { MessageSummary } from '@minimail/store';
import { untagged } from '../protocol/compiler.js';
import { matchesAll, needsContent, usesModseq, type SearchCandidate } from '../search-evaluate.js';
import { SELECTED } from '../session/state.js';
import { viewOf, type CommandSpec } from './types.js';

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
    if (withModseq) await ctx.enableCondstore();
    let highestModseq = 0;
    const summaries = new Map<number, MessageSummary>();
    for (const message of await ctx.store.listMessages(view.mailboxId)) summaries.set(message.uid, message);
    const scope = { exists: view.exists, highestUid: view.highestUid };
    const found: number[] = [];
    for (let sequence = 1; sequence <= view.exists; sequence += 1) {
      const uid = view.uidAt(sequence) as number;
      const message = summaries.get(uid);
      if (!message) continue;
      let content: SearchCandidate['content'] = null;
      if (withContent) {
        const raw = await ctx.store.readBody(message.bodyHash);
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
