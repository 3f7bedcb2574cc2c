/**
 * Issue 11, memory: DATA is held in memory only on the account of the process's message budget
 * (shared with IMAP APPEND). A message that does not fit is read to its end and refused with
 * 452 4.3.1, so the client keeps it and retries; nothing of it is stored.
 */
import { MessageMemoryBudget } from '@minimail/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { countAllMessages, HOSTNAME, startHarness, type Harness } from './test-support/harness.js';
import { RawSmtpClient } from './test-support/raw-client.js';

const MiB = 1024 * 1024;
let harness: Harness | null = null;
const clients: RawSmtpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await harness?.close();
  harness = null;
});

/** A message of about `size` octets in 78-octet lines, ending in CRLF. */
function message(size: number): string {
  const line = 'x'.repeat(76) + '\r\n';
  return 'Subject: budget\r\n\r\n' + line.repeat(Math.ceil(size / line.length));
}

async function send(h: Harness, body: string): Promise<string> {
  const client = await RawSmtpClient.connect(h.port);
  clients.push(client);
  expect((await client.reply()).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
  expect(await client.command('HELO client.test')).toMatch(/^250 /);
  expect(await client.command('MAIL FROM:<a@client.test>')).toBe('250 2.1.0 Accepted');
  expect(await client.command('RCPT TO:<b@example.test>')).toBe('250 2.1.5 Accepted');
  expect(await client.command('DATA')).toBe('354 End data with <CR><LF>.<CR><LF>');
  client.sendRaw(body + '.\r\n');
  return (await client.reply()).last;
}

describe('SMTP DATA and the message memory budget', () => {
  it('answers 452 4.3.1 when other messages in flight hold the budget, and stores nothing', async () => {
    const budget = new MessageMemoryBudget({ limitBytes: 8 * MiB, collectWhenEmptied: false });
    harness = await startHarness({
      profile: 'dev',
      service: 'mx',
      serviceOptions: { messageBudget: budget },
    });
    // Other messages in flight (another connection's DATA, an APPEND) hold most of the budget.
    const others = budget.tryReserve(7 * MiB)!;
    expect(await send(harness, message(MiB))).toBe(
      '452 4.3.1 Too many messages being received, try again later',
    );
    expect(await countAllMessages(harness.store)).toBe(0);
    // What the refused message had taken went back at once.
    expect(budget.inUse).toBe(7 * MiB);
    others.release();
    expect(await send(harness, message(MiB))).toBe('250 2.6.0 Message accepted for delivery');
    expect(await countAllMessages(harness.store)).toBe(1);
    // Stored: the message holds nothing any more.
    expect(budget.inUse).toBe(0);
  });
});
