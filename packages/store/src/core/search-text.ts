import type { IndexedAddress, IndexedBody } from './search-types.js';

/** Longest text of one body kept in the index: a 50 MB log attachment is not what people search. */
export const MAX_INDEXED_TEXT = 256 * 1024;

/** The searchable columns of one body, the same on every backend (docs/adr/0017). */
export interface SearchColumns {
  sender: string;
  recipients: string;
  subject: string;
  body: string;
  messageId: string;
}

const people = (list: ReadonlyArray<IndexedAddress | null>): string =>
  list.flatMap((a) => (a === null ? [] : [`${a.name} <${a.address}>`])).join(', ');

/** What the full-text index holds of a body: "Name <address>" lists, subject, text, Message-ID. */
export function searchColumns(body: IndexedBody): SearchColumns {
  return {
    sender: people([body.from]),
    recipients: people([...body.to, ...body.cc, ...body.bcc]),
    subject: body.subject,
    body: body.text.slice(0, MAX_INDEXED_TEXT),
    messageId: body.messageId,
  };
}
