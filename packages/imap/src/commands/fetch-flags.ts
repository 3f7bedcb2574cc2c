/**
 * FETCH of FLAGS, UID and MODSEQ only, over a big share of the mailbox (`FETCH 1:* (FLAGS)`,
 * `UID FETCH 1:* (FLAGS) (CHANGEDSINCE n)`): answered from the store's lean list of the mailbox
 * with no object per message. Each response line is written as text straight into a chunk that
 * goes out every OUTPUT_CHUNK characters; each distinct flag list (the store shares one frozen
 * array per distinct list) is turned into its text once. The same bytes as the general path in
 * fetch.ts, measured ~8x faster on 100,000 messages (docs/benchmarks.md, perf-big).
 */
import { FLAG_LIST_ITEMS } from '../fetch-render.js';
import type { FetchItem } from '../protocol/fetch-items.js';
import type { MailboxView } from '../session/mailbox-view.js';
import { isRev2 } from '../session/rev2.js';
import type { Target } from './targets.js';
import type { CommandContext } from './types.js';

/** Characters gathered before a write: big enough that the session's output does not batch again. */
const OUTPUT_CHUNK = 64 * 1024;

/** Whether `items` are answered by `fetchFlagLines` (UID, FLAGS and MODSEQ alone). */
export function flagLinesServe(items: readonly FetchItem[]): boolean {
  return items.every((item) => FLAG_LIST_ITEMS.has(item.kind));
}

/**
 * Sends `* n FETCH (...)` for each target still in the store (one expunged elsewhere and not yet
 * announced is skipped, RFC 3501 7.4.1), in the targets' order, items in `items` order, and
 * remembers the flags told (as MailboxView.sendFetch does). `changedSince` keeps only messages
 * whose mod-sequence is above it (RFC 7162 3.1.4.1).
 */
export async function fetchFlagLines(
  ctx: CommandContext,
  view: MailboxView,
  targets: readonly Target[],
  items: readonly FetchItem[],
  changedSince: number | null,
): Promise<void> {
  const list = await ctx.store.listMessageFlags(view.mailboxId);
  const { uids, flags, modseqs } = list;
  // Position in the store's list of each target (-1: gone), walking both in UID order where the
  // targets are ascending (they are for every sequence set but `$`), else by binary search.
  const positions = new Int32Array(targets.length);
  let cursor = 0;
  let previous = -1;
  for (let t = 0; t < targets.length; t += 1) {
    const uid = (targets[t] as Target).uid;
    if (uid < previous) cursor = 0;
    previous = uid;
    if (cursor < uids.length && (uids[cursor] as number) < uid && uid - (uids[cursor] as number) > 64)
      cursor = lowerBound(uids, uid, cursor);
    while (cursor < uids.length && (uids[cursor] as number) < uid) cursor += 1;
    const found = cursor < uids.length && uids[cursor] === uid;
    positions[t] =
      found && (changedSince === null || (modseqs[cursor] as number) > changedSince) ? cursor : -1;
  }
  const tellsFlags = items.some((item) => item.kind === 'FLAGS');
  if (tellsFlags) {
    // RFC 3501 7.2.6: a keyword the client was not told is listed by FLAGS first, once for all.
    const lists = new Set<readonly string[]>();
    for (let t = 0; t < targets.length; t += 1) {
      const position = positions[t] as number;
      if (position >= 0) lists.add(flags[position] as readonly string[]);
    }
    await view.announceKeywords([...lists]);
  }
  const texts = new Map<readonly string[], string>();
  const flagText = (list: readonly string[]): string => {
    let text = texts.get(list);
    if (text === undefined) {
      text = list.join(' ');
      texts.set(list, text);
    }
    return text;
  };
  // RFC 9051: an IMAP4rev2 session never sees \Recent.
  const showRecent = !isRev2(ctx.enabled);
  let chunk = '';
  for (let t = 0; t < targets.length; t += 1) {
    const position = positions[t] as number;
    if (position < 0) continue;
    const target = targets[t] as Target;
    const uid = target.uid;
    const messageFlags = flags[position] as readonly string[];
    const modseq = modseqs[position] as number;
    let line = `* ${target.sequence} FETCH (`;
    for (let i = 0; i < items.length; i += 1) {
      if (i > 0) line += ' ';
      switch ((items[i] as FetchItem).kind) {
        case 'UID':
          line += `UID ${uid}`;
          break;
        case 'FLAGS': {
          // RFC 3501 2.3.2: \Recent for messages recent in this session.
          const text = flagText(messageFlags);
          line +=
            showRecent && view.isRecent(uid)
              ? text === ''
                ? 'FLAGS (\\Recent)'
                : `FLAGS (${text} \\Recent)`
              : `FLAGS (${text})`;
          break;
        }
        default:
          // RFC 7162 3.1.4.2: fetch-mod-resp = "MODSEQ" SP "(" permsg-modsequence ")".
          line += `MODSEQ (${modseq})`;
      }
    }
    chunk += `${line})\r\n`;
    if (tellsFlags) view.rememberTold(target.sequence, messageFlags, modseq);
    ctx.link(view.mailboxId, uid, 'listed');
    if (chunk.length >= OUTPUT_CHUNK) {
      await ctx.send(Buffer.from(chunk, 'utf8'));
      chunk = '';
    }
  }
  if (chunk !== '') await ctx.send(Buffer.from(chunk, 'utf8'));
}

/** The first index at or after `from` whose value is at least `value` (`values` ascending). */
function lowerBound(values: readonly number[], value: number, from: number): number {
  let low = from;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((values[mid] as number) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
