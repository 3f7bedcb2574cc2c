import type { BodyFacts, CaughtGroup, IndexedAddress } from '@minimail/store';
import { headerMap, messageParts, sha256, type LeafPart } from '../catcher/mime-view.js';
import { keywordToTag } from './search-query.js';

/** Mailpit's address shape. */
export interface ApiAddress {
  Name: string;
  Address: string;
}

const apiAddress = (a: IndexedAddress): ApiAddress => ({ Name: a.name, Address: a.address });

export function idOf(group: CaughtGroup): string {
  const first = group.copies[0]!;
  return `${first.mailboxId}-${first.uid}`;
}

/** A group is read when every copy is (an unread copy makes it unread, as the totals count it). */
export function isRead(group: CaughtGroup): boolean {
  return group.copies.every((copy) => copy.flags.includes('\\Seen'));
}

export function tagsOf(group: CaughtGroup): string[] {
  const tags = new Map<string, string>();
  for (const copy of group.copies) {
    for (const flag of copy.flags) {
      const tag = keywordToTag(flag);
      if (tag !== null && !tags.has(tag.toLowerCase())) tags.set(tag.toLowerCase(), tag);
    }
  }
  return [...tags.values()].sort((a, b) => a.localeCompare(b));
}

function copiesOf(group: CaughtGroup) {
  return group.copies.map((copy) => ({
    ID: `${copy.mailboxId}-${copy.uid}`,
    Mailbox: copy.mailboxId,
    UID: copy.uid,
    Owner: copy.owner,
    Read: copy.flags.includes('\\Seen'),
  }));
}

export function summaryOf(group: CaughtGroup, facts: BodyFacts) {
  return {
    ID: idOf(group),
    MessageID: facts.messageId,
    Read: isRead(group),
    From: facts.from === null ? { Name: '', Address: '' } : apiAddress(facts.from),
    To: facts.to.map(apiAddress),
    Cc: facts.cc.map(apiAddress),
    Bcc: facts.bcc.map(apiAddress),
    ReplyTo: facts.replyTo.map(apiAddress),
    Subject: facts.subject,
    Created: group.internalDate.toISOString(),
    Username: '',
    Tags: tagsOf(group),
    Size: group.size,
    Attachments: facts.attachments,
    Snippet: facts.snippet,
    Recipients: [...new Set(group.copies.map((copy) => copy.owner))],
    Copies: copiesOf(group),
  };
}

function attachmentOf(leaf: LeafPart) {
  return {
    PartID: leaf.partId,
    FileName: leaf.fileName,
    ContentType: leaf.contentType,
    ContentID: leaf.contentId,
    Size: leaf.bytes.length,
    Checksums: { SHA256: sha256(leaf.bytes) },
  };
}

/** The whole message, as Mailpit's GET /api/v1/message/{ID} answers. */
export function messageOf(group: CaughtGroup, facts: BodyFacts, raw: Buffer) {
  const parts = messageParts(raw);
  const headers = headerMap(raw);
  const first = (name: string): string =>
    Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1][0] ?? '';
  const unsubscribe = first('list-unsubscribe');
  const dateHeader = new Date(first('date'));
  return {
    ID: idOf(group),
    MessageID: facts.messageId,
    From: facts.from === null ? { Name: '', Address: '' } : apiAddress(facts.from),
    To: facts.to.map(apiAddress),
    Cc: facts.cc.map(apiAddress),
    Bcc: facts.bcc.map(apiAddress),
    ReplyTo: facts.replyTo.map(apiAddress),
    ReturnPath: first('return-path').replace(/^<|>$/g, ''),
    Subject: facts.subject,
    ListUnsubscribe: {
      Header: unsubscribe,
      // RFC 2369 3.2: a list of <URL>s.
      Links: [...unsubscribe.matchAll(/<([^>]+)>/g)].map((m) => m[1]!),
      Errors: '',
      HeaderPost: first('list-unsubscribe-post'),
    },
    Date: (Number.isNaN(dateHeader.getTime()) ? group.internalDate : dateHeader).toISOString(),
    Tags: tagsOf(group),
    Username: '',
    Text: parts.text,
    HTML: parts.html,
    Size: group.size,
    Inline: parts.inline.map(attachmentOf),
    Attachments: parts.attachments.map(attachmentOf),
    Recipients: [...new Set(group.copies.map((copy) => copy.owner))],
    Copies: copiesOf(group),
  };
}
