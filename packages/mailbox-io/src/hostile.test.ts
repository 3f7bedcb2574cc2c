/** Input we did not write: every bound in limits.ts holds, and the import reports and goes on. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readMaildir } from './maildir-reader.js';
import { readMboxStream } from './mbox-reader.js';
import type { SourceItem } from './types.js';

async function collect(items: AsyncIterable<SourceItem>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* chunks(...parts: Array<string | Buffer>): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.isBuffer(part) ? part : Buffer.from(part);
}

const SEP = 'From x@y Mon Jan  1 10:00:00 2024\n';

describe('mbox reader limits', () => {
  it('skips a message over maxMessageBytes and keeps the next one', async () => {
    const items = await collect(
      readMboxStream(
        chunks(SEP, 'Subject: big\n\n', 'a'.repeat(200) + '\n', '\n', SEP, 'Subject: ok\n\nfine\n\n'),
        'INBOX',
        'f',
        {
          maxMessageBytes: 100,
        },
      ),
    );
    expect(
      items.map((i) =>
        i.kind === 'message' ? ['message', i.raw.toString()] : [i.kind, i.kind === 'skip' ? i.reason : ''],
      ),
    ).toEqual([
      ['skip', 'larger than 100 bytes'],
      ['message', 'Subject: ok\r\n\r\nfine\r\n'],
    ]);
  });
  it('does not hold an endless line in memory: it is dropped in pieces with its message', async () => {
    const huge = Buffer.alloc(64 * 1024, 0x61);
    async function* endless(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${SEP}Subject: endless\n\n`);
      for (let i = 0; i < 64; i++) yield huge; // 4 MiB with no line break
      yield Buffer.from(`\n\n${SEP}Subject: after\n\nok\n`);
    }
    const items = await collect(readMboxStream(endless(), 'INBOX', 'f', { maxMessageBytes: 1024 * 1024 }));
    expect(items.map((i) => i.kind)).toEqual(['skip', 'message']);
  });
  it('reports text before the first separator instead of inventing a message', async () => {
    const items = await collect(
      readMboxStream(chunks('garbage\nmore\n\n', SEP, 'Subject: s\n\n'), 'INBOX', 'f'),
    );
    expect(items.map((i) => [i.kind, i.kind === 'skip' ? i.reason : ''])).toEqual([
      ['message', ''],
      ['skip', '2 lines before the first "From " line are not mbox'],
    ]);
  });
  it('reads an empty file as no messages', async () => {
    expect(await collect(readMboxStream(chunks(''), 'INBOX', 'f'))).toEqual([]);
  });
});

describe('Maildir reader limits', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'minimail-maildir-hostile-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('skips oversized files, ignores foreign names and undecodable folders', async () => {
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(path.join(dir, sub));
    writeFileSync(path.join(dir, 'cur', '1.big:2,S'), 'x'.repeat(500));
    writeFileSync(path.join(dir, 'cur', '2.ok:2,S'), 'Subject: ok\n\n');
    writeFileSync(path.join(dir, 'cur', '.hidden'), 'no');
    writeFileSync(path.join(dir, 'tmp', '3.half'), 'being written');
    for (const bad of ['.&!!-', '..', '.a..b']) mkdirSync(path.join(dir, bad, 'cur'), { recursive: true });
    mkdirSync(path.join(dir, '.NoCurNew'));
    const items = await collect(readMaildir(dir, { maxMessageBytes: 100 }));
    expect(items.map((i) => [i.kind, i.folder, i.kind === 'skip' ? i.reason : ''])).toEqual([
      ['folder', 'INBOX', ''],
      ['skip', 'INBOX', 'larger than 100 bytes'],
      ['message', 'INBOX', ''],
    ]);
  });
});
