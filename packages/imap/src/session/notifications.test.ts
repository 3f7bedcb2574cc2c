/**
 * Other sessions' changes reach a client as EXISTS / EXPUNGE / FETCH (FLAGS) only when RFC 3501
 * 7.4.1 allows, IDLE clients hear of deliveries at once (also from another process), and \Recent
 * belongs to one session.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import { rawLogin, sampleMessage, startHarness, type Harness } from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function selectedClient(harness: Harness, command = 'SELECT'): Promise<RawClient> {
  const c = await harness.raw();
  await rawLogin(c);
  c.send(`S1 ${command} INBOX`);
  await c.readTagged('S1');
  return c;
}

async function inboxId(harness: Harness): Promise<number> {
  const user = await harness.store.getUser('alice@example.com');
  return (await harness.store.getMailbox(user!.id, 'INBOX'))!.id;
}

/** Runs a script in a separate node process that opens the same SQLite file through the store's dist. */
async function inChildProcess(harness: Harness, body: string): Promise<void> {
  const storeUrl = pathToFileURL(join(import.meta.dirname, '../../../store/dist/index.js')).href;
  const script = join(harness.dir, `child-${Date.now()}.mjs`);
  await writeFile(
    script,
    `import { openStore } from ${JSON.stringify(storeUrl)};\n` +
      `const store = openStore({ path: ${JSON.stringify(join(harness.dir, 'minimail.sqlite'))} });\n` +
      `${body}\nawait store.close();\n`,
  );
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`child exited ${code}: ${stderr}`)),
    );
  });
}

describe('changes made by other sessions', () => {
  it('announces flag changes as FETCH (FLAGS) at the next command', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', sampleMessage('one'));
    const a = await selectedClient(h);
    const b = await selectedClient(h, 'EXAMINE');
    const writer = await selectedClient(h);
    writer.send('w STORE 1 +FLAGS.SILENT (\\Flagged)');
    await writer.expect('w OK STORE completed');
    // RFC 3501 6.4.6: .SILENT asked not to be told, and its own change does not come back later.
    writer.send('x NOOP');
    expect(await writer.readTagged('x')).toEqual(['x OK NOOP completed']);
    a.send('a NOOP');
    expect(await a.readTagged('a')).toEqual([
      '* 1 FETCH (FLAGS (\\Flagged \\Recent))',
      'a OK NOOP completed',
    ]);
    b.send('b NOOP');
    expect(await b.readTagged('b')).toEqual(['* 1 FETCH (FLAGS (\\Flagged))', 'b OK NOOP completed']);
    a.send('c NOOP');
    await a.expect('c OK NOOP completed');
  });

  it('never sends EXPUNGE during FETCH, STORE or SEARCH (RFC 3501 7.4.1), but does at NOOP', async () => {
    h = await startHarness();
    for (const subject of ['1', '2', '3']) await h.deliver('alice@example.com', sampleMessage(subject));
    const a = await selectedClient(h);
    await h.store.setFlags(await inboxId(h), [2], 'add', ['\\Deleted']);
    await h.store.expunge(await inboxId(h));
    a.send('a FETCH 1:* (UID)');
    // The expunged message is skipped, and so is its flag change (it is gone; telling its flags
    // would be news about a message the client will only hear removed); the expunge is held back.
    expect(await a.readTagged('a')).toEqual([
      '* 1 FETCH (UID 1)',
      '* 3 FETCH (UID 3)',
      'a OK FETCH completed',
    ]);
    a.send('b SEARCH ALL');
    expect(await a.readTagged('b')).toEqual(['* SEARCH 1 3', 'b OK SEARCH completed']);
    a.send('c STORE 3 +FLAGS (\\Seen)');
    expect(await a.readTagged('c')).toEqual(['* 3 FETCH (FLAGS (\\Seen \\Recent))', 'c OK STORE completed']);
    a.send('d NOOP');
    expect(await a.readTagged('d')).toEqual(['* 2 EXPUNGE', 'd OK NOOP completed']);
    a.send('e FETCH 2 (UID)');
    expect(await a.readTagged('e')).toEqual(['* 2 FETCH (UID 3)', 'e OK FETCH completed']);
  });

  it('tells an IDLE client of a delivery and an expunge as they happen', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', sampleMessage('one'));
    const a = await selectedClient(h);
    a.send('i IDLE');
    await a.expect('+ idling');
    await h.deliver('alice@example.com', sampleMessage('two'));
    await a.expect('* 2 EXISTS', 1_000);
    await a.expect('* 2 RECENT', 1_000);
    await h.store.setFlags(await inboxId(h), [1], 'add', ['\\Deleted']);
    await a.expect('* 1 FETCH (FLAGS (\\Deleted \\Recent))', 1_000);
    await h.store.expunge(await inboxId(h));
    await a.expect('* 1 EXPUNGE', 1_000);
    a.send('DONE');
    await a.expect('i OK IDLE terminated');
  });

  it('tells an IDLE client within a second of a delivery and a POP3-style delete made by another process', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', sampleMessage('one'));
    const a = await selectedClient(h);
    a.send('i IDLE');
    await a.expect('+ idling');
    await inChildProcess(
      h,
      `const user = await store.ensureUser('alice@example.com');\n` +
        `await store.deliver({ raw: Buffer.from('Subject: from afar\\r\\n\\r\\nhi\\r\\n'), targets: [{ userId: user.id }] });`,
    );
    await a.expect('* 2 EXISTS', 1_000);
    await a.expect('* 2 RECENT', 1_000);
    const mailboxId = await inboxId(h);
    await inChildProcess(h, `await store.expunge(${mailboxId}, [1]);`);
    await a.expect('* 1 EXPUNGE', 1_000);
    a.send('DONE');
    await a.expect('i OK IDLE terminated');
  });
});

describe('\\Recent and UIDVALIDITY', () => {
  it('a new message is recent in the first session only; UIDVALIDITY stays the same', async () => {
    h = await startHarness();
    const a = await selectedClient(h);
    await h.deliver('alice@example.com', sampleMessage('new'));
    a.send('a NOOP');
    expect(await a.readTagged('a')).toEqual(['* 1 EXISTS', '* 1 RECENT', 'a OK NOOP completed']);
    const b = await h.raw();
    await rawLogin(b);
    b.send('b SELECT INBOX');
    const lines = await b.readTagged('b');
    expect(lines).toContain('* 0 RECENT');
    a.send('c SELECT INBOX');
    const again = await a.readTagged('c');
    const validity = (list: string[]) => list.find((line) => line.includes('UIDVALIDITY'));
    expect(validity(again)).toBe(validity(lines));
    a.send('d SEARCH RECENT');
    expect(await a.readTagged('d')).toEqual(['* SEARCH', 'd OK SEARCH completed']);
  });

  it('EXAMINE is read-only: STORE, EXPUNGE and MOVE are refused', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', sampleMessage('one'));
    const a = await selectedClient(h, 'EXAMINE');
    a.send('a STORE 1 +FLAGS (\\Seen)');
    await a.expect('a NO [READ-ONLY] Mailbox is read-only');
    a.send('b EXPUNGE');
    await a.expect('b NO [READ-ONLY] Mailbox is read-only');
    a.send('c MOVE 1 Trash');
    await a.expect('c NO [READ-ONLY] Mailbox is read-only');
  });

  it('a session whose selected mailbox is deleted elsewhere is told BYE', async () => {
    h = await startHarness();
    const setup = await h.raw();
    await rawLogin(setup);
    setup.send('c CREATE Doomed');
    await setup.expect(/^c OK \[MAILBOXID \(F[0-9a-f]{24}\)\] CREATE completed$/);
    const a = await h.raw();
    await rawLogin(a);
    a.send('s SELECT Doomed');
    await a.readTagged('s');
    setup.send('d DELETE Doomed');
    await setup.expect('d OK DELETE completed');
    a.send('n NOOP');
    await a.expect('* BYE Selected mailbox was deleted');
  });
});
