import { responseCode, atom } from '../protocol/compiler.js';
import { formatSequenceSet } from '../protocol/sequence-set.js';
import { SELECTED } from '../session/state.js';
import { targetMailbox } from './mailbox-lookup.js';
import { resolveTargets } from './targets.js';
import { userOf, viewOf, type CommandSpec } from './types.js';

/** RFC 3501 6.4.7 COPY / UID COPY, answered with RFC 4315 COPYUID. */
export const copyCommand: CommandSpec<'COPY'> = {
  name: 'COPY',
  states: SELECTED,
  async handler(ctx, command) {
    const view = viewOf(ctx);
    const target = await targetMailbox(ctx, userOf(ctx).id, command.args.mailbox);
    const uids = resolveTargets(view, command.args.sequence, command.uid).map((t) => t.uid);
    const verb = command.uid ? 'UID COPY' : 'COPY';
    if (uids.length === 0) return { text: `${verb} completed` };
    const result = await ctx.store.copyMessages(view.mailboxId, uids, target.id);
    result.sourceUids.forEach((uid, index) => {
      const copy = result.targetUids[index];
      ctx.link(
        view.mailboxId,
        uid,
        'copied',
        copy === undefined ? undefined : { mailboxId: target.id, uid: copy },
      );
    });
    return { code: copyUidCode(result), text: `${verb} completed` };
  },
};

/** RFC 4315 3: COPYUID uidvalidity source-uids target-uids, paired by position. */
export function copyUidCode(result: {
  uidValidity: number;
  sourceUids: number[];
  targetUids: number[];
}): string | null {
  if (result.sourceUids.length === 0) return null;
  return responseCode(
    'COPYUID',
    result.uidValidity,
    atom(formatSequenceSet(result.sourceUids)),
    atom(formatSequenceSet(result.targetUids)),
  );
}
