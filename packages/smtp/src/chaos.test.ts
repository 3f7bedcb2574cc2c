import { afterEach, describe, expect, it } from 'vitest';
import { Chaos, parseChaosSpec } from './chaos.js';
import { countAllMessages, startHarness, type Harness } from './test-support/harness.js';
import { RawSmtpClient } from './test-support/raw-client.js';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

describe('chaos (SMTP fault injection)', () => {
  it('fails exactly the configured stage with the configured code, and stops when reset', async () => {
    const chaos = new Chaos({ triggers: { rcpt: { code: 451, probability: 100 } } });
    harness = await startHarness({ profile: 'dev', service: 'mx', chaos });
    const client = await RawSmtpClient.connect(harness.port);
    await client.reply();
    await client.command('EHLO client.test');
    expect(await client.command('MAIL FROM:<app@example.test>')).toMatch(/^250 /);
    expect(await client.command('RCPT TO:<alice@dev.test>')).toBe(
      '451 4.7.0 Chaos: simulated recipient refused',
    );

    // Changed at run time (as the HTTP API does): a 5xx at MAIL, RCPT back to normal.
    chaos.set({ mail: { code: 550, probability: 100 } });
    await client.command('RSET');
    expect(await client.command('MAIL FROM:<app@example.test>')).toBe(
      '550 5.7.0 Chaos: simulated sender refused',
    );

    chaos.set({ data: { code: 452, probability: 100 } });
    await client.command('RSET');
    expect(await client.command('MAIL FROM:<app@example.test>')).toMatch(/^250 /);
    expect(await client.command('RCPT TO:<alice@dev.test>')).toMatch(/^250 /);
    expect(await client.command('DATA')).toMatch(/^354 /);
    client.send('Subject: x\r\n\r\nbody\r\n.');
    expect((await client.reply()).lines).toEqual(['452 4.7.0 Chaos: simulated message refused']);
    expect(await countAllMessages(harness.store)).toBe(0);

    chaos.set({});
    await client.command('RSET');
    await client.command('MAIL FROM:<app@example.test>');
    await client.command('RCPT TO:<alice@dev.test>');
    await client.command('DATA');
    client.send('Subject: x\r\n\r\nbody\r\n.');
    expect((await client.reply()).lines[0]).toMatch(/^250 2\.6\.0 /);
    expect(await countAllMessages(harness.store)).toBe(1);
    await client.close();
  });

  it('fails AUTH on submission, and honours the probability', async () => {
    const sequence = [0.1, 0.9, 0.1, 0.9];
    const chaos = new Chaos({
      triggers: { auth: { code: 535, probability: 50 } },
      random: () => sequence.shift() ?? 0.9,
    });
    harness = await startHarness({ profile: 'dev', service: 'submission', withTls: true, chaos });
    const client = await RawSmtpClient.connect(harness.port);
    await client.reply();
    await client.command('EHLO client.test');
    const plain = Buffer.from('\0bob@dev.test\0secret').toString('base64');
    // 0.1 * 100 < 50: fails; 0.9 * 100 >= 50: goes through.
    expect(await client.command(`AUTH PLAIN ${plain}`)).toBe(
      '535 5.7.0 Chaos: simulated authentication refused',
    );
    expect(await client.command(`AUTH PLAIN ${plain}`)).toMatch(/^235 /);
    await client.close();
  });

  it('parses the env form and refuses nonsense', () => {
    expect(parseChaosSpec('mail=451:50, rcpt=550:10,DATA=452:100,auth=535:0.5')).toEqual({
      mail: { code: 451, probability: 50 },
      rcpt: { code: 550, probability: 10 },
      data: { code: 452, probability: 100 },
      auth: { code: 535, probability: 0.5 },
    });
    expect(() => parseChaosSpec('helo=451:50')).toThrow('is not stage=code:percent');
    expect(() => parseChaosSpec('rcpt=250:50')).toThrow('must be a 4xx or 5xx reply code');
    expect(() => parseChaosSpec('rcpt=451:101')).toThrow('probability must be 0-100');
    expect(new Chaos().get()).toEqual({
      mail: { code: 451, probability: 0 },
      rcpt: { code: 451, probability: 0 },
      data: { code: 451, probability: 0 },
      auth: { code: 451, probability: 0 },
    });
  });
});
