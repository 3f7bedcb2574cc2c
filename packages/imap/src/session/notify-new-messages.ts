/**
 * RFC 5465 5.2: MessageNew with a fetch-att list for the selected mailbox: after the EXISTS that
 * counts them, each new message is sent as an unsolicited FETCH of those items. BODY[] items are
 * read as BODY.PEEK[] (the notification must not set \Seen).
 */
import { isSummary, needsStructure, renderItem, type LoadedBody } from '../fetch-render.js';
import { readBodyIfPresent } from '../message-body.js';
import type { FetchItem } from '../protocol/fetch-items.js';
import type { ServerContext } from '../server-context.js';
import type { MailboxView } from './mailbox-view.js';

export async function sendNewMessages(
  server: ServerContext,
  view: MailboxView,
  afterUid: number,
  items: readonly FetchItem[],
): Promise<void> {
  const uids = view.allUids.filter((uid) => uid > afterUid);
  if (uids.length === 0) return;
  const structureNeeded = needsStructure(items);
  const toldFlags = items.some((item) => item.kind === 'FLAGS');
  for (const message of await server.store.getMessages(view.mailboxId, uids)) {
    const sequence = view.sequenceOf(message.uid);
    if (sequence === null) continue;
    let body: LoadedBody | null = null;
    if (structureNeeded && isSummary(message)) {
      const raw = await readBodyIfPresent(server.store, message.bodyHash);
      // Expunged meanwhile: its EXPUNGE follows in time.
      if (raw === null) continue;
      body = { raw, structure: await server.structures.structureOf(message.bodyHash, raw) };
    }
    const flags = view.withRecent(message.uid, message.flags);
    const entries = items.map((item) => renderItem(item, message, flags, body));
    await view.sendFetch(sequence, entries, toldFlags ? message : null);
  }
}
