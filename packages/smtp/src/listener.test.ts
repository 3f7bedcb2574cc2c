import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RawSmtpClient } from './test-support/raw-client.js';
import { HOSTNAME, inbox, startHarness } from './test-support/harness.js';
import type { Harness } from './test-support/harness.js';

let harness: Harness | null = null;
const clients: RawSmtpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await harness?.close();
  harness = null;
});

async function connect(h: Harness): Promise<RawSmtpClient> {
  const client = await RawSmtpClient.connect(h.port);
  clients.push(client);
  expect((await client.reply()).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
  return client;
}

describe('SmtpListener.close', () => {
  it('lets a transaction in DATA finish with 250, then says 421 to everyone and stops accepting', async () => {
    const h = (harness = await startHarness({ profile: 'dev', service: 'mx' }));
    const busy = await connect(h);
    const idle = await connect(h);
    expect(await busy.command('EHLO client.test')).toBe('250 SIZE 26214400');
    expect(await busy.command('MAIL FROM:<a@remote.test>')).toBe('250 2.1.0 Accepted');
    expect(await busy.command('RCPT TO:<bob@local.test>')).toBe('250 2.1.5 Accepted');
    expect(await busy.command('DATA')).toBe('354 End data with <CR><LF>.<CR><LF>');
    busy.sendRaw('Subject: closing\r\n\r\n');

    const closed = h.listener.close();
    // The idle client is told to come back later at once.
    expect((await idle.reply()).last).toBe('421 4.3.2 Service shutting down');

    busy.sendRaw('still delivered\r\n.\r\n');
    expect((await busy.reply()).last).toBe('250 2.6.0 Message accepted for delivery');
    expect((await busy.reply()).last).toBe('421 4.3.2 Service shutting down');
    await closed;

    expect(await inbox(h.store, 'bob@local.test')).toHaveLength(1);
    await expect(
      new Promise((resolve, reject) =>
        net.connect({ port: h.port, host: '127.0.0.1' }).on('connect', resolve).on('error', reject),
      ),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
