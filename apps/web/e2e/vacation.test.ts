import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, deliver, launchChromium, startMinimail, type Minimail } from './support.js';

const missing = chromiumMissing();
if (missing !== null) console.warn(`vacation e2e skipped: ${missing}`);

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const BIN = join(ROOT, 'apps', 'mailserver', 'bin', 'minimail.js');

interface Summary {
  messages_count: number;
  messages: Array<{ ID: string; Subject: string; From: { Address: string } }>;
}

describe.skipIf(missing !== null)('the vacation form in Chromium (issue 19)', () => {
  let minimail: Minimail;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    [minimail, chromium] = await Promise.all([startMinimail(), launchChromium()]);
  });
  afterAll(async () => {
    await chromium?.close();
    await minimail?.stop();
  });

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${minimail.httpUrl}${path}`);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  /** The messages in `recipient`'s INBOX whose subject has `subject`, once there are `count`. */
  const waitFor = async (recipient: string, subject: string, count: number): Promise<Summary> => {
    const path = `/api/v1/search?recipient=${encodeURIComponent(recipient)}&query=${encodeURIComponent(`subject:"${subject}"`)}`;
    for (let i = 0; i < 200; i++) {
      const found = await api<Summary>(path);
      if (found.messages_count >= count) return found;
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error(`no ${count} message(s) "${subject}" for ${recipient}`);
  };
  const send = async (from: string, subject: string) => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: minimail.smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({ from, to: 'bob@dev.test', subject, text: 'Are you there?' });
    transport.close();
  };

  it('saves a vacation reply from the form; SMTP delivery answers each sender once; the CLI shows the script', async () => {
    // bob's mailbox exists once mail has reached it (dev profile), so the picker lists him.
    await deliver(minimail.store, ['bob@dev.test'], 'From: a@dev.test\nSubject: first\n\nhello\n');
    const page = await chromium.context.newPage();
    await page.goto(minimail.httpUrl);
    await page.waitForSelector('select[aria-label="Recipient"] option[value="bob@dev.test"]', {
      state: 'attached',
    });
    await page.selectOption('select[aria-label="Recipient"]', 'bob@dev.test');
    await page.click('button[data-action="vacation"]');
    const form = page.locator('section.vacation form');
    await form.locator('textarea[name="message"]').waitFor();
    expect(await form.locator('input[name="enabled"]').isChecked()).toBe(false);
    await form.locator('input[name="enabled"]').check();
    await form.locator('input[name="subject"]').fill('Away until Monday');
    await form.locator('textarea[name="message"]').fill('I am away.\nBack on Monday.');
    await form.locator('input[name="days"]').fill('3');
    await form.locator('input[name="addresses"]').fill('robert@dev.test');
    await form.locator('button[type="submit"]').click();
    await page.locator('section.vacation [role="status"]', { hasText: 'Saved' }).waitFor();

    expect(await api('/api/v1/mailboxes/bob%40dev.test/vacation')).toEqual({
      Enabled: true,
      Subject: 'Away until Monday',
      Message: 'I am away.\nBack on Monday.',
      Days: 3,
      From: '',
      Addresses: ['robert@dev.test'],
    });
    // The same script ManageSieve serves: through the CLI, on the same data dir.
    const cli = (args: string[]) =>
      promisify(execFile)(process.execPath, [BIN, ...args], {
        env: { PATH: process.env['PATH'], HOME: process.env['HOME'], MINIMAIL_DATA_DIR: minimail.dataDir },
      });
    expect((await cli(['sieve', 'bob@dev.test', 'get', 'vacation'])).stdout).toBe(
      'require ["vacation"];\r\nvacation :days 3 :subject "Away until Monday" :addresses ["robert@dev.test"] "I am away.\r\nBack on Monday.";\r\n',
    );
    expect((await cli(['sieve', 'bob@dev.test', 'list'])).stdout).toBe('vacation\tactive\n');

    // carol writes twice, dave once: one reply each (RFC 5230 4.1, once per sender per :days).
    await send('carol@dev.test', 'Lunch?');
    const first = await waitFor('carol@dev.test', 'Away until Monday', 1);
    expect(first.messages[0]!.From.Address).toBe('bob@dev.test');
    const raw = await (await fetch(`${minimail.httpUrl}/api/v1/message/${first.messages[0]!.ID}/raw`)).text();
    expect(raw).toMatch(/^Auto-Submitted: auto-replied\b/m);
    expect(raw).toContain('I am away.\r\nBack on Monday.');
    await send('carol@dev.test', 'Lunch, again?');
    await waitFor('bob@dev.test', 'Lunch, again?', 1);
    await send('dave@dev.test', 'Dinner?');
    await waitFor('dave@dev.test', 'Away until Monday', 1);
    expect((await waitFor('carol@dev.test', 'Away until Monday', 1)).messages_count).toBe(1);

    // Off from the form: the script stays, no longer active.
    await form.locator('input[name="enabled"]').uncheck();
    await form.locator('button[type="submit"]').click();
    await page.locator('section.vacation [role="status"]', { hasText: 'Saved' }).waitFor();
    expect((await cli(['sieve', 'bob@dev.test', 'list'])).stdout).toBe('vacation\n');
    await page.close();
  });
});
