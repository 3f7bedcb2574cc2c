import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStores, message } from '../test-support/temp-store.js';
import type { TestStore } from '../test-support/temp-store.js';
import type { User } from '../core/types.js';

describe('mailboxes', () => {
  let temp: TempStores;
  let store: TestStore;
  let user: User;

  const names = async (): Promise<string[]> =>
    (await store.listMailboxes(user.id)).map((m) => (m.noselect ? `${m.name} (noselect)` : m.name));

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open();
    user = await store.ensureUser('u@example.com');
  });
  afterEach(() => temp.cleanup());

  it('gives every new user INBOX and the special-use mailboxes', async () => {
    const mailboxes = await store.listMailboxes(user.id);
    const counts = await Promise.all(mailboxes.map(async (m) => (await store.mailboxStatus(m.id)).messages));
    expect(mailboxes.map((m, i) => [m.name, m.specialUse, m.subscribed, m.uidNext, counts[i]])).toEqual([
      ['Archive', '\\Archive', true, 1, 0],
      ['Drafts', '\\Drafts', true, 1, 0],
      ['INBOX', null, true, 1, 0],
      ['Junk', '\\Junk', true, 1, 0],
      ['Sent', '\\Sent', true, 1, 0],
      ['Trash', '\\Trash', true, 1, 0],
    ]);
    const validities = mailboxes.map((m) => m.uidValidity);
    expect(new Set(validities).size).toBe(validities.length);
  });

  it('finds INBOX case-insensitively, other names exactly', async () => {
    const inbox = await store.getMailbox(user.id, 'inbox');
    expect(inbox?.name).toBe('INBOX');
    expect(await store.getMailbox(user.id, 'InBoX')).toEqual(inbox);
    expect(await store.getMailbox(user.id, 'sent')).toBeNull();
  });

  it('creates missing parents and refuses duplicates and bad names', async () => {
    const created = await store.createMailbox(user.id, 'Work/2024/Q1');
    expect(created.name).toBe('Work/2024/Q1');
    expect(await names()).toEqual(expect.arrayContaining(['Work', 'Work/2024', 'Work/2024/Q1']));
    await expect(store.createMailbox(user.id, 'Work')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(store.createMailbox(user.id, 'inbox')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    for (const bad of ['', '/x', 'x/', 'a//b', 'a*b', 'a%b', 'a\u0001b']) {
      await expect(store.createMailbox(user.id, bad), JSON.stringify(bad)).rejects.toMatchObject({
        code: 'INVALID',
      });
    }
  });

  it('refuses to delete INBOX and keeps a parent with children as \\Noselect (RFC 3501 6.3.4)', async () => {
    await expect(store.deleteMailbox(user.id, 'INBOX')).rejects.toMatchObject({ code: 'INVALID' });
    const parent = await store.createMailbox(user.id, 'P');
    await store.createMailbox(user.id, 'P/child');
    await store.deliver({ raw: message('in parent'), targets: [{ mailboxId: parent.id }] });
    await store.deleteMailbox(user.id, 'P');
    expect(await store.getMailbox(user.id, 'P')).toMatchObject({ noselect: true });
    expect(await store.mailboxStatus(parent.id)).toMatchObject({ messages: 0 });
    await expect(
      store.deliver({ raw: message('x'), targets: [{ mailboxId: parent.id }] }),
    ).rejects.toMatchObject({ code: 'INVALID' });
    // By name too (a delivery to a user's named folder), with the reason spelled out.
    await expect(
      store.deliver({ raw: message('x'), targets: [{ userId: user.id, mailbox: 'P' }] }),
    ).rejects.toMatchObject({ code: 'INVALID', message: 'mailbox "P" cannot hold messages' });
    // A \Noselect name with children cannot be deleted again.
    await expect(store.deleteMailbox(user.id, 'P')).rejects.toMatchObject({ code: 'INVALID' });
    await store.deleteMailbox(user.id, 'P/child');
    await store.deleteMailbox(user.id, 'P');
    expect(await store.getMailbox(user.id, 'P')).toBeNull();
    await expect(store.deleteMailbox(user.id, 'P')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('gives a re-created name a new, larger UIDVALIDITY', async () => {
    const first = await store.createMailbox(user.id, 'Again');
    await store.deleteMailbox(user.id, 'Again');
    const second = await store.createMailbox(user.id, 'Again');
    expect(second.uidValidity).toBeGreaterThan(first.uidValidity);
    expect(second.id).not.toBe(first.id);
  });

  it('renames a mailbox with its children, creating parents of the new name', async () => {
    const box = await store.createMailbox(user.id, 'Old/sub');
    const old = await store.getMailbox(user.id, 'Old');
    await store.renameMailbox(user.id, 'Old', 'New/Name');
    expect(await names()).toEqual(expect.arrayContaining(['New', 'New/Name', 'New/Name/sub']));
    expect(await store.getMailbox(user.id, 'Old')).toBeNull();
    expect((await store.getMailbox(user.id, 'New/Name/sub'))?.id).toBe(box.id);
    expect((await store.getMailbox(user.id, 'New/Name'))?.uidValidity).toBe(old?.uidValidity);
    await expect(store.renameMailbox(user.id, 'New', 'Sent')).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    await expect(store.renameMailbox(user.id, 'New', 'New/inside')).rejects.toMatchObject({
      code: 'INVALID',
    });
    await expect(store.renameMailbox(user.id, 'Missing', 'X')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('renaming INBOX moves its messages to the new mailbox and leaves INBOX empty (RFC 3501 6.3.5)', async () => {
    await store.deliver({ raw: message('one'), targets: [{ userId: user.id }] });
    await store.deliver({ raw: message('two'), targets: [{ userId: user.id }] });
    const inboxBefore = await store.getMailbox(user.id, 'INBOX');
    await store.renameMailbox(user.id, 'INBOX', 'Old Inbox');
    const inbox = await store.getMailbox(user.id, 'INBOX');
    const moved = await store.getMailbox(user.id, 'Old Inbox');
    expect(inbox).toMatchObject({
      id: inboxBefore?.id,
      uidNext: 3,
      uidValidity: inboxBefore?.uidValidity,
    });
    expect(await store.mailboxStatus(inbox!.id)).toMatchObject({ messages: 0 });
    expect(moved).toMatchObject({ uidNext: 3 });
    expect(await store.mailboxStatus(moved!.id)).toMatchObject({ messages: 2 });
    expect(moved?.uidValidity).toBeGreaterThan(inboxBefore?.uidValidity ?? 0);
    const movedMessages = await store.listMessages(moved?.id ?? 0);
    expect(movedMessages.map((m) => m.uid)).toEqual([1, 2]);
    // RFC 7162 3.1.1: HIGHESTMODSEQ covers every message's modseq.
    expect(Math.max(...movedMessages.map((m) => m.modseq))).toBeLessThanOrEqual(moved?.highestModseq ?? 0);
    // INBOX keeps counting: the next delivery does not reuse UIDs 1 and 2.
    const next = await store.deliver({ raw: message('three'), targets: [{ userId: user.id }] });
    expect(next.copies[0]?.uid).toBe(3);
  });

  it('subscribes and unsubscribes', async () => {
    await store.setSubscribed(user.id, 'Junk', false);
    expect((await store.getMailbox(user.id, 'Junk'))?.subscribed).toBe(false);
    await store.setSubscribed(user.id, 'Junk', true);
    expect((await store.getMailbox(user.id, 'Junk'))?.subscribed).toBe(true);
    // RFC 3501 6.3.6: a name without a mailbox may be subscribed, and unsubscribed again.
    await store.setSubscribed(user.id, 'Nope', true);
    expect(await store.listSubscriptions(user.id)).toContain('Nope');
    await store.setSubscribed(user.id, 'Nope', false);
    expect(await store.listSubscriptions(user.id)).not.toContain('Nope');
    await expect(store.setSubscribed(user.id, 'a*b', true)).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('keeps subscriptions as names: defaults subscribed, CREATE subscribes nothing, DELETE keeps it', async () => {
    expect(await store.listSubscriptions(user.id)).toEqual([
      'Archive',
      'Drafts',
      'INBOX',
      'Junk',
      'Sent',
      'Trash',
    ]);
    await store.createMailbox(user.id, 'Work/Reports');
    expect((await store.getMailbox(user.id, 'Work/Reports'))?.subscribed).toBe(false);
    expect((await store.getMailbox(user.id, 'Work'))?.subscribed).toBe(false);
    await store.setSubscribed(user.id, 'Work/Reports', true);
    await store.deleteMailbox(user.id, 'Work/Reports');
    expect(await store.getMailbox(user.id, 'Work/Reports')).toBeNull();
    expect(await store.listSubscriptions(user.id)).toContain('Work/Reports');
    // The same name created again is subscribed at once (the subscription is the name's).
    await store.createMailbox(user.id, 'Work/Reports');
    expect((await store.getMailbox(user.id, 'Work/Reports'))?.subscribed).toBe(true);
  });

  it('reports status: counts, unseen, size, UIDNEXT, HIGHESTMODSEQ', async () => {
    const inbox = await store.getMailbox(user.id, 'INBOX');
    const id = inbox?.id ?? 0;
    await store.deliver({ raw: message('a', 'x'.repeat(100)), targets: [{ mailboxId: id }] });
    await store.deliver({ raw: message('b'), targets: [{ mailboxId: id }], flags: ['\\Seen', '\\Deleted'] });
    const status = await store.mailboxStatus(id);
    const listed = await store.listMessages(id);
    const sizes = listed.reduce((sum, m) => sum + m.size, 0);
    expect(status).toEqual({
      messages: 2,
      unseen: 1,
      uidNext: 3,
      uidValidity: inbox?.uidValidity,
      highestModseq: 3,
      size: sizes,
      // RFC 9208 STATUS DELETED / DELETED-STORAGE: the \Deleted message and its size.
      deleted: 1,
      deletedSize: listed[1]!.size,
    });
    // A mailbox lookup carries no counts (they cost a scan); STATUS is where they come from.
    expect(Object.keys((await store.getMailboxById(id))!).sort()).toEqual([
      'highestModseq',
      'id',
      'name',
      'noselect',
      'specialUse',
      'subscribed',
      'uidNext',
      'uidValidity',
      'userId',
    ]);
    await expect(store.mailboxStatus(9999)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
