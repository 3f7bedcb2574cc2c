import { headerValues } from '@minimail/mime';
import { readBodyIfPresent } from '../message-body.js';
import { untagged } from '../protocol/compiler.js';
import { isSummary } from '../search-evaluate.js';
import { SELECTED } from '../session/state.js';
import { baseSubject } from '../sort/base-subject.js';
import { casemapKey } from '../sort/collation.js';
import { sortValue } from '../sort/sort-keys.js';
import { threadResponse, type ThreadInput } from '../sort/thread.js';
import { findMatches } from './search.js';
import type { CommandSpec } from './types.js';

/** RFC 5322 3.6.4 msg-id as it appears: `<...>`. */
const MESSAGE_ID = /<[^<>\s]+>/g;

/**
 * RFC 5256 4 THREAD and UID THREAD with ORDEREDSUBJECT, REFERENCES and REFS (sort/thread.ts).
 * The search keys are SEARCH's (findMatches); only matching messages are threaded.
 */
export const threadCommand: CommandSpec<'THREAD'> = {
  name: 'THREAD',
  states: SELECTED,
  expungeNotices: 'uidOnly',
  async handler(ctx, command) {
    const { algorithm, criteria } = command.args;
    const matches = await findMatches(ctx, criteria, true);
    const inputs: ThreadInput[] = [];
    const seenIds = new Set<string>();
    for (const match of matches) {
      const summary = match.message;
      if (!isSummary(summary)) throw new Error('THREAD without the message summary');
      const raw = await readBodyIfPresent(ctx.store, summary.bodyHash);
      // Expunged since the list was read: as if already gone.
      if (raw === null) continue;
      const content = { raw, structure: await ctx.server.structures.structureOf(summary.bodyHash, raw) };
      const header = (name: string): string[] => headerValues(raw, content.structure, name);
      const subject = baseSubject(header('subject')[0] ?? '');
      // RFC 5256 4 step 1: a missing or duplicate Message-ID gets a unique one of our own.
      let messageId = (header('message-id')[0] ?? '').match(MESSAGE_ID)?.[0] ?? '';
      if (messageId === '' || seenIds.has(messageId)) messageId = `\0minimail-${summary.uid}`;
      seenIds.add(messageId);
      let references = header('references').flatMap((value) => value.match(MESSAGE_ID) ?? []);
      if (references.length === 0)
        references = (header('in-reply-to')[0] ?? '').match(MESSAGE_ID)?.slice(0, 1) ?? [];
      inputs.push({
        id: command.uid ? match.uid : match.sequence,
        sequence: match.sequence,
        date: sortValue('DATE', { summary, content }) as number,
        subject: casemapKey(subject.base),
        isReplyOrForward: subject.isReplyOrForward,
        messageId,
        // A message never refers to itself.
        references: references.filter((id) => id !== messageId),
      });
    }
    const data = threadResponse(algorithm, inputs);
    await ctx.send(untagged(data === '' ? 'THREAD' : `THREAD ${data}`));
    return { text: `${command.uid ? 'UID THREAD' : 'THREAD'} completed` };
  },
};
