/**
 * Writes a directory of mbox files, one per folder: `INBOX.mbox`, `Archive.mbox`, `Archive/2024.mbox`
 * (the folder hierarchy as directories, which `readMboxTree` reads back). Flags go into
 * Status/X-Status/X-Keywords; the internal date into the separator line (UTC).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { mboxHeadersFromFlags } from './flags.js';
import { addHeaderFieldsLf } from './header-block.js';
import { toLf } from './line-endings.js';
import { formatFromLine } from './mbox-format.js';
import type { ExportMessage, MailboxSink } from './types.js';

const LF = 0x0a;

/** mboxrd quoting: every line that matches `>*From ` gets one more `>`. */
export function quoteFromLines(message: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  let copied = 0;
  while (start < message.length) {
    let i = start;
    while (message[i] === 0x3e) i++;
    if (message.toString('latin1', i, i + 5) === 'From ') {
      parts.push(message.subarray(copied, start), Buffer.from('>'));
      copied = start;
    }
    const lf = message.indexOf(LF, start);
    if (lf < 0) break;
    start = lf + 1;
  }
  if (parts.length === 0) return message;
  parts.push(message.subarray(copied));
  return Buffer.concat(parts);
}

/** One message as it appears in an mbox file: separator, fields, quoted body, the empty line. */
export function formatMboxEntry(message: ExportMessage): Buffer {
  let body = addHeaderFieldsLf(toLf(message.raw), mboxHeadersFromFlags(message.flags));
  body = quoteFromLines(body);
  const closing = body.length > 0 && body[body.length - 1] === LF ? '\n' : '\n\n';
  return Buffer.concat([
    Buffer.from(`${formatFromLine(message.internalDate)}\n`),
    body,
    Buffer.from(closing),
  ]);
}

/** A folder name as a relative file path; `..` and empty parts cannot escape the export directory. */
export function mboxFileOfFolder(folder: string): string {
  const parts = folder.split('/').map((part) => (part === '' || part === '.' || part === '..' ? '_' : part));
  return `${path.join(...parts)}.mbox`;
}

export function mboxTreeSink(root: string): MailboxSink {
  const streams = new Map<string, WriteStream>();
  return {
    async openFolder(folder) {
      const file = path.join(root, mboxFileOfFolder(folder));
      await mkdir(path.dirname(file), { recursive: true });
      const stream = createWriteStream(file, { flags: 'w', mode: 0o600 });
      await once(stream, 'open');
      streams.set(folder, stream);
    },
    async write(folder, message) {
      const stream = streams.get(folder);
      if (!stream) throw new Error(`folder not opened: ${folder}`);
      if (!stream.write(formatMboxEntry(message))) await once(stream, 'drain');
    },
    async close() {
      for (const stream of streams.values()) {
        stream.end();
        await once(stream, 'finish');
      }
      streams.clear();
    },
  };
}
