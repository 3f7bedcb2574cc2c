/**
 * APPEND's grammar with RFC 3502 MULTIAPPEND and RFC 3516 literal8:
 *   append         = "APPEND" SP mailbox 1*append-message
 *   append-message = append-opts SP append-data
 *   append-opts    = [SP flag-list] [SP date-time]
 *   append-data    = literal / literal8        (literal8 = "~{" number ["+"] "}" CRLF *OCTET)
 *                    / "UTF8" SP "(" literal8 ")"   (RFC 6855 4, after ENABLE UTF8=ACCEPT)
 *                    / "CATENATE" SP "(" cat-part *(SP cat-part) ")"   (RFC 4469 5)
 *   cat-part       = "TEXT" SP (literal / literal8) / "URL" SP astring
 * The assembler has already read every literal (`~{n}` ends with the same `{n}` marker).
 */
import { readDateTime, readFlagList, readMailbox } from './args.js';
import type { AppendMessage, CatenatePart, CommandArgs } from './commands.js';
import type { ArgReader } from './reader.js';

export function readAppendArgs(reader: ArgReader): CommandArgs['APPEND'] {
  reader.space();
  const mailbox = readMailbox(reader);
  const messages: AppendMessage[] = [];
  // RFC 3502 6: 1*append-message, each starting with SP.
  do {
    reader.space();
    reader.countArg();
    messages.push(readAppendMessage(reader));
  } while (!reader.atEnd());
  return { mailbox, messages };
}

function readAppendMessage(reader: ArgReader): AppendMessage {
  let flags: string[] = [];
  if (reader.peek() === '(') {
    flags = readFlagList(reader);
    reader.space();
  }
  let internalDate: Date | null = null;
  if (reader.peek() === '"') {
    internalDate = readDateTime(reader);
    reader.space();
  }
  if (reader.tryWord('CATENATE')) {
    reader.space();
    const catenate = reader.readList(() => readCatPart(reader), false);
    return { flags, internalDate, message: Buffer.alloc(0), catenate, binary: false, utf8: false };
  }
  if (reader.tryWord('UTF8')) {
    // RFC 6855 4: a message with UTF-8 headers, always as a literal8.
    reader.space();
    reader.expect('(');
    reader.expect('~', 'a literal8');
    if (reader.peek() !== '{') throw reader.error('Expected a literal8');
    const message = reader.readMessageLiteral();
    reader.expect(')', '")"');
    return { flags, internalDate, message, binary: true, utf8: true };
  }
  // RFC 3516 4.4: "~" makes the literal a literal8 (binary content, NUL allowed).
  const binary = reader.peek() === '~';
  if (binary) reader.expect('~');
  if (reader.peek() !== '{') throw reader.error('Expected the message as a literal');
  return { flags, internalDate, message: reader.readMessageLiteral(), binary, utf8: false };
}

/** RFC 4469 5 cat-part; RFC 3516 4.4 lets a TEXT part be a literal8 too. */
function readCatPart(reader: ArgReader): CatenatePart {
  if (reader.tryWord('URL')) {
    reader.space();
    return { kind: 'url', url: reader.readAstring('an IMAP URL') };
  }
  if (!reader.tryWord('TEXT')) throw reader.error('Expected TEXT or URL');
  reader.space();
  const binary = reader.peek() === '~';
  if (binary) reader.expect('~');
  if (reader.peek() !== '{') throw reader.error('Expected the TEXT part as a literal');
  // Read like a message literal: the assembler may have spooled a large TEXT part.
  return { kind: 'text', data: reader.readMessageLiteral(), binary };
}
