import type { OutboundEntry } from '@minimail/store';
import { CliError } from '../cli-error.js';
import { println, printRows } from '../io.js';
import type { CommandSpec } from './command.js';
import { withStore } from './with-store.js';

function entryId(text: string | undefined): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id <= 0) throw new CliError(`"${text ?? ''}" is not a queue entry id`, 2);
  return id;
}

/** One tab-separated line per entry: what an admin greps and sorts. */
function entryLine(entry: OutboundEntry): string {
  return [
    entry.id,
    entry.status,
    entry.attempts,
    entry.nextAttemptAt.toISOString(),
    entry.sender === '' ? '<>' : entry.sender,
    entry.recipient,
    entry.size,
    (entry.lastError ?? '').replace(/\s+/g, ' '),
  ].join('\t');
}

export const queueCommands: Record<string, CommandSpec> = {
  'queue list': {
    usage: 'queue list [--json]',
    summary:
      'print the outbound queue: id, status, attempts, next attempt, sender, recipient, size, last error',
    arity: 0,
    json: true,
    run: (ctx) =>
      withStore(ctx.config, async (store) => {
        const entries = await store.listOutbound();
        if (!ctx.json) return printRows(ctx, entries, entryLine);
        const rows = entries.map((entry) => ({
          ...entry,
          createdAt: entry.createdAt.toISOString(),
          nextAttemptAt: entry.nextAttemptAt.toISOString(),
        }));
        printRows(ctx, rows, () => '');
      }),
  },
  'queue retry': {
    usage: 'queue retry (ID | all)',
    summary: 'try queued or failed entries again now (not ones being delivered)',
    arity: 1,
    run: ({ config, io, args: [which] }) =>
      withStore(config, async (store) => {
        const entries = await store.listOutbound();
        const wanted = which === 'all' ? null : entryId(which);
        // An entry a worker is delivering right now is left alone: retrying it would send it twice.
        // (Its lease is its nextAttemptAt; once that passed, the worker is gone and retry is safe.)
        const now = Date.now();
        const leased = (entry: OutboundEntry): boolean =>
          entry.status === 'delivering' && entry.nextAttemptAt.getTime() > now;
        const busy = entries.find((entry) => entry.id === wanted && leased(entry));
        if (busy !== undefined) throw new CliError(`entry ${busy.id} is being delivered right now`);
        const ids =
          wanted === null ? entries.filter((entry) => !leased(entry)).map((entry) => entry.id) : [wanted];
        for (const id of ids) await store.retryOutbound(id);
        println(io.stdout, `${ids.length} entr${ids.length === 1 ? 'y' : 'ies'} due now`);
      }),
  },
  'queue delete': {
    usage: 'queue delete ID',
    summary: 'drop a queue entry without delivering it (no bounce is sent)',
    arity: 1,
    run: ({ config, args: [id] }) => withStore(config, (store) => store.deleteOutbound(entryId(id))),
  },
};
