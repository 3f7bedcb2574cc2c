/**
 * RFC 4469 CATENATE: an APPEND message assembled from TEXT literals and URL parts, each URL one of
 * this server's IMAP URLs (RFC 5092, with RFC 5550 PARTIAL) naming a message or part in a mailbox
 * of the logged-in user. A URL that cannot be resolved fails the whole APPEND with
 * `NO [BADURL url]` (RFC 4469 4.1); a result above the APPEND limit with `NO [TOOBIG]` (4.2).
 * URLs are resolved once the whole command has arrived (the assembler reads every literal first),
 * so a bad URL is answered after the client's later literals, not before them as RFC 4469 permits.
 * The bytes a URL brings in are not counted against the process's APPEND memory budget (only
 * literals are, by the assembler); APPENDLIMIT bounds one message.
 */
import { extractSection, parseSectionSpec, partial } from '@minimail/mime';
import { no } from '../errors.js';
import { readBodyIfPresent } from '../message-body.js';
import { normalizeMailboxName } from '../protocol/args.js';
import type { CatenatePart } from '../protocol/commands.js';
import { parseImapUrl, urlRespText } from '../protocol/imap-url.js';
import { MAX_APPEND_SIZE } from '../protocol/limits.js';
import { literalBytes } from './literal-source.js';
import { userOf, type CommandContext } from './types.js';

/** The message's bytes, the parts in order; throws NO [BADURL] / NO [TOOBIG]. */
export async function catenateMessage(ctx: CommandContext, parts: readonly CatenatePart[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for (const part of parts) {
    // A TEXT part's size is known before its bytes are read (it may be in a spool file).
    if (part.kind === 'text' && size + part.data.length > MAX_APPEND_SIZE)
      throw no('The catenated message is too big', 'TOOBIG');
    const data =
      part.kind === 'text' ? await literalBytes(part.data, ctx.logger) : await resolveUrl(ctx, part.url);
    size += data.length;
    // RFC 4469 4.2 / RFC 7889: the result must fit what APPEND accepts (APPENDLIMIT).
    if (size > MAX_APPEND_SIZE) throw no('The catenated message is too big', 'TOOBIG');
    chunks.push(data);
  }
  return Buffer.concat(chunks, size);
}

/**
 * RFC 4469 3: the data a URL part names, as `BODY.PEEK[section]<partial>` would return it (no
 * \Seen is set). Every failure is the same BADURL: a client learns nothing about mailboxes that
 * are not its own.
 */
async function resolveUrl(ctx: CommandContext, url: string): Promise<Buffer> {
  const badUrl = (why: string) => no(why, `BADURL ${urlRespText(url)}`);
  const parsed = parseImapUrl(url);
  if (parsed === null) throw badUrl('Not an IMAP URL of a message on this server');
  const user = userOf(ctx);
  if (parsed.host !== null && parsed.host !== ctx.server.hostname.toLowerCase())
    throw badUrl('The URL names another server');
  if (parsed.user !== null && parsed.user.toLowerCase() !== user.address)
    throw badUrl("The URL names another user's mailbox");
  let mailboxId: number;
  let uidValidity: number;
  if (parsed.mailbox === null) {
    // RFC 5092 7.2: a relative URL is resolved against the selected mailbox.
    if (ctx.state.kind !== 'selected') throw badUrl('A relative URL needs a selected mailbox');
    mailboxId = ctx.state.view.mailboxId;
    uidValidity = ctx.state.view.uidValidity;
  } else {
    const mailbox = await ctx.store.getMailbox(user.id, normalizeMailboxName(parsed.mailbox));
    if (mailbox === null || mailbox.noselect) throw badUrl('No such mailbox');
    mailboxId = mailbox.id;
    uidValidity = mailbox.uidValidity;
  }
  // RFC 5092 6: a URL whose UIDVALIDITY differs names messages that may no longer exist.
  if (parsed.uidValidity !== null && parsed.uidValidity !== uidValidity)
    throw badUrl('UIDVALIDITY has changed');
  const message = await ctx.store.getMessage(mailboxId, parsed.uid);
  const raw = message === null ? null : await readBodyIfPresent(ctx.store, message.bodyHash);
  if (message === null || raw === null) throw badUrl('No such message');
  let data = raw;
  if (parsed.section !== null) {
    const spec = parseSectionSpec(parsed.section);
    if (spec === null) throw badUrl('Invalid section');
    const structure = await ctx.server.structures.structureOf(message.bodyHash, raw);
    const section = extractSection(raw, structure, spec);
    if (section === null) throw badUrl('No such message part');
    data = section;
  }
  // RFC 5550 4: ;PARTIAL=offset[.length], octets of the (undecoded) section.
  if (parsed.partial !== null)
    data = partial(data, parsed.partial.offset, parsed.partial.length ?? undefined);
  return data;
}
