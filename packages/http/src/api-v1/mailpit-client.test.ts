import { MailpitClient } from 'mailpit-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BINARY_ATTACHMENT, deliverToMany, plainMessage, richMessage } from '../test-support/fixtures.js';
import { startHttp, type Setup } from '../test-support/setup.js';

/**
 * The npm package `mailpit-api` (written for Mailpit, by nobody here) used unchanged against
 * minimail: what a team's existing Mailpit-based test suite does.
 */
let setup: Setup;
let mailpit: MailpitClient;

beforeEach(async () => {
  setup = await startHttp('dev');
  mailpit = new MailpitClient(`http://127.0.0.1:${setup.port}`);
});
afterEach(() => setup.close());

describe('mailpit-api against minimail', () => {
  it('lists, searches, reads and deletes messages', async () => {
    await deliverToMany(
      setup.store,
      ['alice@dev.test'],
      richMessage({ to: 'alice@dev.test', subject: 'Confirm your account', link: 'http://127.0.0.1:9/c' }),
      new Date('2026-11-24T10:00:00Z'),
    );
    await deliverToMany(
      setup.store,
      ['bob@dev.test'],
      plainMessage('team@work.test', 'bob@dev.test', 'Standup notes', 'blockers: none'),
      new Date('2026-11-24T11:00:00Z'),
    );

    const list = await mailpit.listMessages();
    expect(list.total).toBe(2);
    expect(list.messages_count).toBe(2);
    expect(list.messages.map((m) => m.Subject)).toEqual(['Standup notes', 'Confirm your account']);
    expect(list.messages[1]!.From).toEqual({ Name: 'Shop', Address: 'noreply@shop.test' });
    expect(list.messages[1]!.To).toEqual([{ Name: '', Address: 'alice@dev.test' }]);

    const found = await mailpit.searchMessages({ query: 'blockers' });
    expect(found.messages.map((m) => m.Subject)).toEqual(['Standup notes']);
    expect(
      (await mailpit.searchMessages({ query: 'from:noreply@shop.test has:attachment' })).messages_count,
    ).toBe(1);

    const id = list.messages[1]!.ID;
    const message = await mailpit.getMessageSummary(id);
    expect(message.Subject).toBe('Confirm your account');
    expect(message.Text).toContain('Please confirm: http://127.0.0.1:9/c');
    expect(message.Attachments.map((a) => a.FileName)).toEqual(['data.bin']);
    const blob = await mailpit.getMessageAttachment(id, message.Attachments[0]!.PartID);
    expect(Buffer.from(await blob.arrayBuffer()).equals(BINARY_ATTACHMENT)).toBe(true);
    expect((await mailpit.getMessageHeaders(id))['Message-ID']).toEqual(['<rich-1@shop.test>']);
    expect(await mailpit.getMessageSource(id)).toContain('Subject: Confirm your account\r\n');
    expect((await mailpit.getMessageSummary()).Subject).toBe('Standup notes'); // "latest"

    expect(await mailpit.setReadStatus({ IDs: [id], Read: false })).toBe('ok');
    expect((await mailpit.searchMessages({ query: 'is:unread' })).messages.map((m) => m.ID)).toEqual([id]);
    expect(await mailpit.setTags({ IDs: [id], Tags: ['signup'] })).toBe('ok');
    expect(await mailpit.getTags()).toEqual(['signup']);
    expect(await mailpit.renderMessageText(id)).toContain('Please confirm');

    expect(await mailpit.deleteMessagesBySearch({ query: 'subject:standup' })).toBe('ok');
    expect((await mailpit.listMessages()).messages.map((m) => m.ID)).toEqual([id]);
    expect(await mailpit.deleteMessages({ IDs: [id] })).toBe('ok');
    expect((await mailpit.listMessages()).total).toBe(0);
  });

  it('waits for a message with its own polling helper', async () => {
    const waiting = mailpit.waitForMessage(
      { query: 'subject:"Reset link"' },
      { timeout: 10_000, interval: 100 },
    );
    await deliverToMany(
      setup.otherStore(),
      ['carol@dev.test'],
      plainMessage('a@b.test', 'carol@dev.test', 'Reset link', 'go'),
    );
    expect((await waiting).To).toEqual([{ Name: '', Address: 'carol@dev.test' }]);
  });
});
