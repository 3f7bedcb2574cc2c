import { untagged } from '../protocol/compiler.js';
import { SELECTED } from '../session/state.js';
import type { StoredKeys } from '../sort/stored-keys.js';
import { threadResponse, type ThreadInput } from '../sort/thread.js';
import { findMatches, type Match } from './search.js';
import { keyedMatches } from './sort-input.js';
import type { CommandSpec } from './types.js';

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
    // Keys from the store's lean list (sort-input.ts, docs/adr/0037): no body read per message.
    const keyed = await keyedMatches(ctx, await findMatches(ctx, criteria, false));
    const inputs: ThreadInput[] = [];
    const seenIds = new Set<string>();
    for (let index = 0; index < keyed.matches.length; index += 1) {
      const match = keyed.matches[index] as Match;
      const at = keyed.positions[index] as number;
      const keys = keyed.keys[at] as StoredKeys;
      // RFC 5256 4 step 1: a missing or duplicate Message-ID gets a unique one of our own.
      let messageId = keys[9];
      if (messageId === '' || seenIds.has(messageId)) messageId = `\0minimail-${match.uid}`;
      seenIds.add(messageId);
      inputs.push({
        id: command.uid ? match.uid : match.sequence,
        sequence: match.sequence,
        // RFC 5256 2.2: the sent date as SORT (DATE) has it.
        date: keys[1] ?? (keyed.internalDates[at] as number),
        subject: keys[2],
        isReplyOrForward: keys[3] === 1,
        messageId,
        // A message never refers to itself.
        references: keys[10].includes(messageId) ? keys[10].filter((id) => id !== messageId) : keys[10],
      });
    }
    const data = threadResponse(algorithm, inputs);
    await ctx.send(untagged(data === '' ? 'THREAD' : `THREAD ${data}`));
    return { text: `${command.uid ? 'UID THREAD' : 'THREAD'} completed` };
  },
};
