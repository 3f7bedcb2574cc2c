/**
 * IDLE (RFC 2177) as the client sees it, byte for byte: a session waiting in IDLE wakes with the
 * same untagged responses a busy session would get (delivery, another session's expunge and flag
 * change), DONE ends it, and autologout, shutdown and a vanished client all release its slot
 * (issue 20, docs/adr/0043).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import { startHarness, type Harness } from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const MESSAGE = 'From: a@example.com\r\nSubject: hello\r\n\r\nbody\r\n';

/** Logs in as alice, selects INBOX (one message in it) and enters IDLE. */
async function idling(harness: Harness): Promise<RawClient> {
  const c = await harness.raw();
  await c.expect(/^\* OK /);
  c.send('a LOGIN alice@example.com x');
  await c.expect(/^a OK /);
  c.send('b SELECT INBOX');
  expect(await c.readUntil(/^b /)).toContain('* 1 EXISTS');
  c.send('c IDLE');
  await c.expect('+ idling');
  return c;
}

/** A second session of alice's with INBOX selected (it does not claim \Recent: the first did). */
async function other(harness: Harness): Promise<RawClient> {
  const d = await harness.raw();
  await d.expect(/^\* OK /);
  d.send('x LOGIN alice@example.com x');
  await d.expect(/^x OK /);
  d.send('y SELECT INBOX');
  expect((await d.readUntil(/^y /)).at(-1)).toMatch(/^y OK \[READ-WRITE\]/);
  return d;
}

describe('a session in IDLE wakes with exactly what a busy session would be told', () => {
  it('on delivery: EXISTS and RECENT, then DONE ends the IDLE', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', MESSAGE);
    const c = await idling(h);
    await h.deliver('alice@example.com', MESSAGE);
    await c.expect('* 2 EXISTS', 5_000);
    await c.expect('* 2 RECENT');
    c.send('DONE');
    await c.expect('c OK IDLE terminated');
    c.send('d FETCH 1:* (UID FLAGS)');
    await c.expect('* 1 FETCH (UID 1 FLAGS (\\Recent))');
    await c.expect('* 2 FETCH (UID 2 FLAGS (\\Recent))');
    await c.expect('d OK FETCH completed');
  });

  it("on another session's flag change: one FETCH with the new flags", async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', MESSAGE);
    const c = await idling(h);
    const d = await other(h);
    d.send('z STORE 1 +FLAGS.SILENT (\\Flagged $Important)');
    expect((await d.readUntil(/^z /)).at(-1)).toBe('z OK STORE completed');
    // RFC 3501 7.2.6: the new keyword is listed before the FETCH that carries it.
    await c.expect('* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Important)', 5_000);
    await c.expect(
      '* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Important \\*)] Flags permitted',
    );
    await c.expect('* 1 FETCH (FLAGS (\\Flagged $Important \\Recent))');
    c.send('DONE');
    await c.expect('c OK IDLE terminated');
  });

  it("on another session's expunge: EXPUNGE at once, and the count after DONE agrees", async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', MESSAGE);
    await h.deliver('alice@example.com', MESSAGE);
    const c = await h.raw();
    await c.expect(/^\* OK /);
    c.send('a LOGIN alice@example.com x');
    await c.expect(/^a OK /);
    c.send('b SELECT INBOX');
    expect(await c.readUntil(/^b /)).toContain('* 2 EXISTS');
    c.send('c IDLE');
    await c.expect('+ idling');
    const d = await other(h);
    d.send('z STORE 1 +FLAGS.SILENT (\\Deleted)');
    await d.expect('z OK STORE completed');
    await c.expect('* 1 FETCH (FLAGS (\\Deleted \\Recent))', 5_000);
    d.send('w EXPUNGE');
    await d.expect('* 1 EXPUNGE');
    await d.expect('w OK EXPUNGE completed');
    await c.expect('* 1 EXPUNGE', 5_000);
    c.send('DONE');
    await c.expect('c OK IDLE terminated');
    c.send('e FETCH 1:* (UID)');
    await c.expect('* 1 FETCH (UID 2)');
    await c.expect('e OK FETCH completed');
  });
});

/**
 * A client greeted with OK: the server lets go of a closed connection's slot when its socket
 * closes, a moment after the client saw the close, so a refused attempt is retried (for 5 s).
 */
async function greeted(harness: Harness): Promise<RawClient> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = await harness.raw();
    const greeting = await candidate.expect(/^\* (OK|BYE) /);
    if (greeting.startsWith('* OK ')) return candidate;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the slot was never released');
}

describe('an IDLE session gives its slot back', () => {
  it('after autologout, a shutdown BYE, and a client that went away', async () => {
    h = await startHarness({ maxClients: 1, limits: { autologoutMs: 400 } });
    await h.deliver('alice@example.com', MESSAGE);
    const c = await idling(h);
    await c.expect('* BYE Autologout; idle for too long', 5_000);
    await c.closed();
    // The one slot is free again: the next client is greeted, not refused.
    const d = await greeted(h);
    d.send('a LOGIN alice@example.com x');
    await d.expect(/^a OK /);
    d.send('b SELECT INBOX');
    expect((await d.readUntil(/^b /)).at(-1)).toMatch(/^b OK /);
    d.send('c IDLE');
    await d.expect('+ idling');
    await d.close();
    // The client vanished while idling (no BYE, no DONE): its slot is free too.
    const client = await greeted(h);
    client.send('a LOGIN alice@example.com x');
    await client.expect(/^a OK /);
    client.send('b IDLE');
    await client.expect('+ idling');
    const closing = h.server.close();
    await client.expect('* BYE Server shutting down');
    await client.closed();
    await closing;
  });
});
