import type { MessageSummary } from '@minimail/store';
import { untagged } from '../protocol/compiler.js';
import { matchesAll, needsContent, type SearchCandidate } from '../search-evaluate.js';
import { SELECTED } from '../session/state.js';
import { viewOf, type CommandSpec } from './types.js';

/**
 * RFC 3501 6.4.4 SEARCH and 6.4.8 UID SEARCH, with CHARSET US-ASCII or UTF-8 (the parser refuses
 * others with NO [BADCHARSET]). Content keys read one message at a time.
 */
export const searchCommand: CommandSpec<'SEARCH'> = {
  name: 'SEARCH',
  states: SELECTED,
  expungeNotices: 'uidOnly',
  async handler(ctx, command) {
    const view = viewOf(ctx);
    const criteria = command.args.criteria;
    const withContent = needsContent(criteria);
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
      if (matchesAll(criteria, candidate, scope)) found.push(command.uid ? uid : sequence);
    }
    await ctx.send(untagged(['SEARCH', ...found].join(' ')));
    return { text: `${command.uid ? 'UID SEARCH' : 'SEARCH'} completed` };
  },
};
