/**
 * Writes screenshots of the main views into docs/screenshots/ (`npm run screenshots -w @minimail/web`):
 * a real minimail with a few realistic messages, Debian's Chromium, fixed viewports. Not part of
 * `npm test` (vitest.config.ts includes e2e/ and src/ only).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';
import { plainMessage, richMessage } from '../e2e/fixtures.js';
import { deliver, launchChromium, startMinimail } from '../e2e/support.js';

const OUT = join(resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..'), 'docs', 'screenshots');

it('writes the screenshots', async () => {
  mkdirSync(OUT, { recursive: true });
  const minimail = await startMinimail();
  const chromium = await launchChromium();
  try {
    const { store } = minimail;
    const at = (minutes: number) => new Date(Date.UTC(2026, 10, 24, 9, minutes));
    await deliver(
      store,
      ['dev@myapp.test'],
      plainMessage(
        '"CI Bot" <ci@myapp.test>',
        'dev@myapp.test',
        'Build #1289 passed',
        'All 412 tests passed in 3m12s.\r\nDetails: https://ci.myapp.test/builds/1289',
      ),
      at(1),
    );
    await deliver(
      store,
      ['alice@customer.test', 'bob@customer.test'],
      plainMessage(
        '"MyApp" <hello@myapp.test>',
        'alice@customer.test, bob@customer.test',
        'Your team invitation',
        'Alice invited you to join the Design team.\r\nAccept: https://myapp.test/invite/8d2f',
      ),
      at(5),
    );
    await deliver(
      store,
      ['carol@customer.test'],
      plainMessage(
        '"MyApp Billing" <billing@myapp.test>',
        'carol@customer.test',
        'Invoice INV-2026-0042',
        'Amount due: 49.00 EUR by 2026-12-01.\r\nPay online: https://myapp.test/pay/42',
      ),
      at(9),
    );
    await deliver(
      store,
      ['dev@myapp.test'],
      plainMessage(
        '"Monitoring" <alerts@myapp.test>',
        'dev@myapp.test',
        'Disk usage above 80% on db-1',
        'db-1 /var/lib/postgresql is 83% full.',
      ),
      at(12),
    );
    await deliver(
      store,
      ['alice@customer.test'],
      richMessage({
        to: 'alice@customer.test',
        subject: 'Confirm your email address',
        link: 'https://myapp.test/confirm?token=5b1c',
      }),
      at(15),
    );
    const { context } = chromium;
    const page = await context.newPage();
    const shoot = (name: string) => page.screenshot({ path: join(OUT, `${name}.png`) });

    await page.setViewportSize({ width: 1280, height: 760 });
    await page.goto(minimail.httpUrl);
    await page.waitForSelector('li.row');
    await page.locator('li.row', { hasText: 'Confirm your email' }).click();
    await page.frameLocator('iframe.html-frame').locator('#greeting').waitFor();
    await page.waitForTimeout(300);
    await shoot('desktop-message-html');
    await page.locator('[data-tab="parts"]').click();
    await page.waitForTimeout(300);
    await shoot('desktop-message-parts');
    await page.locator('[data-tab="source"]').click();
    await shoot('desktop-message-source');
    await page.locator('input[type="search"]').fill('from:myapp.test invoice');
    await page.locator('input[type="search"]').press('Enter');
    await page.waitForTimeout(400);
    await shoot('desktop-search');

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(minimail.httpUrl);
    await page.waitForSelector('li.row');
    await page.locator('li.row', { hasText: 'team invitation' }).click();
    await page.waitForTimeout(400);
    await shoot('desktop-dark');

    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(minimail.httpUrl);
    await page.waitForSelector('li.row');
    await shoot('phone-list');
    await page.locator('li.row', { hasText: 'Confirm your email' }).click();
    await page.frameLocator('iframe.html-frame').locator('#greeting').waitFor();
    await page.waitForTimeout(300);
    await shoot('phone-message');
  } finally {
    await chromium.close();
    await minimail.stop();
  }
});
