/**
 * APPEND through the spool, in process (docs/adr/0027): a literal above the threshold is stored
 * from its spool file byte for byte, and the file is gone once the command is answered, also when
 * the store fails. The many-connection and memory cases run in append-memory.test.ts.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageSpool } from '@minimail/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { rawLogin, startHarness, type Harness } from './test-support/harness.js';

let harness: Harness | null = null;
let spoolDir: string;

afterEach(async () => {
  await harness?.close();
  harness = null;
  rmSync(spoolDir, { recursive: true, force: true });
});

async function start(): Promise<Harness> {
  spoolDir = mkdtempSync(join(tmpdir(), 'minimail-imap-append-spool-'));
  harness = await startHarness({ spool: new MessageSpool({ dir: spoolDir, thresholdBytes: 4096 }) });
  return harness;
}

/** 200 KB of 8-bit text with CRLF lines: every octet must come back as sent. */
function message(): Buffer {
  const lines = Array.from({ length: 2500 }, (_, i) => `line ${i} ${'\u00e9'.repeat(30)}\r\n`);
  return Buffer.from(`Subject: spooled\r\n\r\n${lines.join('')}`, 'latin1');
}

/** The spool directory's entries, once the session has moved past the answered command (at most 2 s). */
async function spoolFilesAfterAnswer(): Promise<string[]> {
  for (let waited = 0; waited < 2_000 && readdirSync(spoolDir).length > 0; waited += 20)
    await new Promise((resolve) => setTimeout(resolve, 20));
  return readdirSync(spoolDir);
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('APPEND through the spool', () => {
  it('stores a synchronizing literal above the threshold exactly and leaves no spool file', async () => {
    const h = await start();
    const client = await h.raw();
    await rawLogin(client);
    const body = message();
    client.send(`A1 APPEND INBOX (\\Seen) {${body.length}}`);
    await client.expect(/^\+ /);
    client.sendRaw(body);
    client.sendRaw('\r\n');
    expect((await client.readTagged('A1')).at(-1)).toMatch(/^A1 OK \[APPENDUID \d+ 1\] APPEND completed$/);
    expect(await spoolFilesAfterAnswer()).toEqual([]);
    const user = await h.store.getUser('alice@example.com');
    const inbox = await h.store.getMailbox(user!.id, 'INBOX');
    const [stored] = await h.store.listMessages(inbox!.id);
    expect(stored).toMatchObject({ size: body.length, flags: ['\\Seen'] });
    expect(sha256(await h.store.readBody(stored!.bodyHash))).toBe(sha256(body));
  });

  it('answers NO [UNAVAILABLE] when the store fails after the literal, and removes the spool file', async () => {
    const h = await start();
    const client = await h.raw();
    await rawLogin(client);
    // The store goes away (a failed disk, a lost database) while the message is on its way.
    await h.store.close();
    const body = message();
    client.send(`A1 APPEND INBOX {${body.length}+}`);
    client.sendRaw(body);
    client.sendRaw('\r\n');
    expect((await client.readTagged('A1')).at(-1)).toBe(
      'A1 NO [UNAVAILABLE] Temporary failure, try again later',
    );
    expect(await spoolFilesAfterAnswer()).toEqual([]);
  });

  it('MULTIAPPEND (RFC 3502) of two spooled messages stores both exactly and removes both files', async () => {
    const h = await start();
    const client = await h.raw();
    await rawLogin(client);
    const first = message();
    const second = Buffer.concat([Buffer.from('Subject: second\r\n\r\n'), first.subarray(20)]);
    client.sendRaw(`A1 APPEND INBOX {${first.length}+}\r\n`);
    client.sendRaw(first);
    client.sendRaw(` (\\Flagged) {${second.length}+}\r\n`);
    client.sendRaw(second);
    client.sendRaw('\r\n');
    expect((await client.readTagged('A1')).at(-1)).toMatch(/^A1 OK \[APPENDUID \d+ 1:2\] APPEND completed$/);
    expect(await spoolFilesAfterAnswer()).toEqual([]);
    const user = await h.store.getUser('alice@example.com');
    const inbox = await h.store.getMailbox(user!.id, 'INBOX');
    const stored = await h.store.listMessages(inbox!.id);
    expect(stored.map((m) => m.flags)).toEqual([[], ['\\Flagged']]);
    expect(sha256(await h.store.readBody(stored[0]!.bodyHash))).toBe(sha256(first));
    expect(sha256(await h.store.readBody(stored[1]!.bodyHash))).toBe(sha256(second));
  });

  it('CATENATE (RFC 4469) with a spooled TEXT part assembles the message exactly and removes the file', async () => {
    const h = await start();
    const client = await h.raw();
    await rawLogin(client);
    const head = Buffer.from('Subject: catenated\r\n\r\n');
    const body = message().subarray(20);
    client.sendRaw(`A1 APPEND INBOX CATENATE (TEXT {${head.length}+}\r\n`);
    client.sendRaw(head);
    client.sendRaw(` TEXT {${body.length}+}\r\n`);
    client.sendRaw(body);
    client.sendRaw(')\r\n');
    expect((await client.readTagged('A1')).at(-1)).toMatch(/^A1 OK \[APPENDUID \d+ 1\] APPEND completed$/);
    expect(await spoolFilesAfterAnswer()).toEqual([]);
    const user = await h.store.getUser('alice@example.com');
    const inbox = await h.store.getMailbox(user!.id, 'INBOX');
    const [stored] = await h.store.listMessages(inbox!.id);
    expect(stored).toMatchObject({ size: head.length + body.length });
    expect(sha256(await h.store.readBody(stored!.bodyHash))).toBe(sha256(Buffer.concat([head, body])));
  });
});
