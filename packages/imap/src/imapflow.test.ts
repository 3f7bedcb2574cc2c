/**
 * imapflow (a real client) over STARTTLS, implicit TLS and in production, plus IDLE, EXAMINE,
 * NOOP, CLOSE and UNSELECT as it issues them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sampleMessage, startHarness, type Harness } from './test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('imapflow', () => {
  it('upgrades with STARTTLS and logs in with a real password in production', async () => {
    h = await startHarness({ tls: true, profile: 'production' });
    await h.store.addDomain('example.com');
    await h.store.addUser('carol@example.com', 'correct horse');
    const client = await h.imapflow('carol@example.com', { pass: 'correct horse' });
    // imapflow upgraded the plain connection (the capability list after TLS no longer offers it).
    expect(client.secureConnection).toBe(true);
    expect(client.capabilities.has('STARTTLS')).toBe(false);
    expect(client.authenticated).toBeTruthy();
    const mailbox = await client.mailboxOpen('INBOX');
    expect(mailbox.exists).toBe(0);
    await expect(h.imapflow('carol@example.com', { pass: 'wrong' })).rejects.toThrow();
  });

  it('connects with implicit TLS', async () => {
    h = await startHarness({ implicitTls: true });
    const client = await h.imapflow('dave@example.com', { secure: true });
    expect(client.secureConnection).toBe(true);
    expect((await client.list()).map((entry) => entry.path)).toContain('INBOX');
  });

  it('hears of a delivery while IDLE and of flag changes at NOOP', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', sampleMessage('one'));
    const client = await h.imapflow();
    await client.mailboxOpen('INBOX');
    const exists = new Promise<number>((resolve) =>
      client.on('exists', (event: { count: number }) => resolve(event.count)),
    );
    const idling = client.idle();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await h.deliver('alice@example.com', sampleMessage('two'));
    expect(await exists).toBe(2);
    await client.noop();
    await idling;
    const flags = new Promise<{ uid?: number; flags: Set<string> }>((resolve) => client.on('flags', resolve));
    const user = await h.store.getUser('alice@example.com');
    const inbox = await h.store.getMailbox(user!.id, 'INBOX');
    await h.store.setFlags(inbox!.id, [1], 'add', ['\\Answered']);
    await client.noop();
    expect([...(await flags).flags]).toContain('\\Answered');
  });

  it('opens read-only with EXAMINE, then closes', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', sampleMessage('one'));
    const client = await h.imapflow();
    const mailbox = await client.mailboxOpen('INBOX', { readOnly: true });
    expect(mailbox.readOnly).toBe(true);
    expect(await client.messageFlagsAdd('1', ['\\Seen'])).toBe(false);
    await client.mailboxClose();
    expect(client.mailbox).toBe(false);
  });
});
