/**
 * RFC 5465 NOTIFY: `NOTIFY NONE` and `NOTIFY SET [STATUS] (filter events) ...`. The rules on
 * which events go together are checked here (tagged BAD, RFC 5465 5), then the events minimail
 * does not support (tagged NO [BADEVENT (supported events)], RFC 5465 6: we keep no METADATA or
 * ANNOTATE data). What the settings do is the session's (session/notify-state.ts, docs/adr/0029).
 */
import { bad, no } from '../errors.js';
import type { NotifyEventGroup } from '../protocol/notify-args.js';
import { SUPPORTED_NOTIFY_EVENTS } from '../session/notify-state.js';
import { AUTHENTICATED } from '../session/state.js';
import type { CommandSpec } from './types.js';

const SUPPORTED: ReadonlySet<string> = new Set(SUPPORTED_NOTIFY_EVENTS);

/** RFC 5465 5: the combinations a client MUST NOT ask for; answered BAD. */
function checkGroup(group: NotifyEventGroup): void {
  const has = (event: string): boolean => group.events.includes(event);
  const selected = group.filter.kind === 'selected' || group.filter.kind === 'selected-delayed';
  if (has('MessageNew') !== has('MessageExpunge'))
    throw bad('MessageNew and MessageExpunge must be given together');
  if ((has('FlagChange') || has('AnnotationChange')) && !has('MessageNew'))
    throw bad(`${has('FlagChange') ? 'FlagChange' : 'AnnotationChange'} needs MessageNew and MessageExpunge`);
  if (group.fetchItems !== null && !selected)
    throw bad('MessageNew fetch attributes are only for selected or selected-delayed');
  if (new Set(group.events).size !== group.events.length) throw bad('An event is given twice');
}

export const notifyCommand: CommandSpec<'NOTIFY'> = {
  name: 'NOTIFY',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    const state = ctx.state;
    if (state.kind !== 'authenticated' && state.kind !== 'selected') throw bad('Not logged in');
    const args = command.args;
    if (args.kind === 'none') {
      ctx.notify().none();
      return { text: 'NOTIFY completed' };
    }
    const selectedGroups = args.groups.filter(
      (group) => group.filter.kind === 'selected' || group.filter.kind === 'selected-delayed',
    );
    // RFC 5465 6: selected and selected-delayed name one mailbox; at most one of them, once.
    if (selectedGroups.length > 1) throw bad('selected or selected-delayed given more than once');
    for (const group of args.groups) checkGroup(group);
    const unsupported = args.groups.flatMap((group) => group.events).filter((event) => !SUPPORTED.has(event));
    if (unsupported.length > 0)
      throw no(`Unsupported event ${unsupported[0]}`, `BADEVENT (${SUPPORTED_NOTIFY_EVENTS.join(' ')})`);
    await ctx.notify().set(state.user.id, args.groups, args.status);
    return { text: 'NOTIFY completed' };
  },
};
