/**
 * The sign-up flow in a real browser (Playwright driving the system's Chromium), with
 * @minimail/testing's Playwright fixture: type an address, wait for the mail, follow its link.
 */
import { existsSync } from 'node:fs';
import { extractLinks } from '@minimail/testing';
import { expect, test } from '@minimail/testing/playwright';
import { startSignupApp } from '../src/app.js';
import { CHROMIUM } from '../playwright.config.js';

test.skip(!existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (.ci/run installs Debian's chromium package)`);

test('a user signs up in the browser and follows the link from the mail', async ({ page, mail }) => {
  const app = await startSignupApp({ smtp: { host: mail.host, port: mail.smtp } });
  try {
    await page.goto(app.url);
    await page.getByLabel('E-mail').fill('browser-user@example.test');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.locator('#sent')).toHaveText(
      'Check your inbox: we sent a link to browser-user@example.test.',
    );

    const message = await mail.waitFor({
      to: 'browser-user@example.test',
      subject: 'Confirm',
      timeout: 15_000,
    });
    const [link] = extractLinks(message);
    expect(link).toBeDefined();
    await page.goto(link!);
    await expect(page.locator('#welcome')).toHaveText('Welcome, browser-user@example.test!');
  } finally {
    await app.close();
  }
});
