import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BINARY_ATTACHMENT, plainMessage, richMessage } from './fixtures.js';
import { chromiumMissing, deliver, launchChromium, startMinimail, type Minimail } from './support.js';

const missing = chromiumMissing();
if (missing !== null) console.warn(`web e2e skipped: ${missing}`);

/** The messages seeded for the search test (plus the few each other test adds). */
const BULK = 2_000;

describe.skipIf(missing !== null)('the web app in Chromium', () => {
  let minimail: Minimail;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  /** A stand-in for the site a caught mail links to. */
  let landing: Server;
  let landingUrl: string;

  beforeAll(async () => {
    landing = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>landed</title><h1>Address confirmed</h1>');
    });
    await new Promise<void>((done) => landing.listen(0, '127.0.0.1', done));
    landingUrl = `http://127.0.0.1:${(landing.address() as AddressInfo).port}/confirm?token=abc`;
    [minimail, chromium] = await Promise.all([startMinimail(), launchChromium()]);
    context = chromium.context;
  });
  afterAll(async () => {
    await chromium?.close();
    await minimail?.stop();
    await new Promise((done) => landing?.close(done));
  });

  const openApp = async (query = ''): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(`${minimail.httpUrl}/${query === '' ? '' : `?q=${encodeURIComponent(query)}`}`);
    await page.waitForSelector('.count:not(:text("…"))');
    return page;
  };
  const openMessage = async (page: Page, subject: string) => {
    await page.locator('li.row', { hasText: subject }).first().click();
    await page.waitForSelector('.message-subject');
    const frame = page.frameLocator('iframe.html-frame');
    await frame.locator('#greeting').waitFor();
    return frame;
  };

  it('opens a clicked link in a new page and keeps the preview; shows cid: images; never runs scripts', async () => {
    await deliver(
      minimail.store,
      ['alice@dev.test'],
      richMessage({ to: 'alice@dev.test', subject: 'Please confirm', link: landingUrl }),
    );
    const page = await openApp();
    const messages: unknown[] = [];
    await page.exposeFunction('recordMessage', (data: unknown) => void messages.push(data));
    await page.evaluate(() => {
      window.addEventListener('message', (event) =>
        (window as unknown as { recordMessage(d: unknown): void }).recordMessage(event.data),
      );
    });
    const frame = await openMessage(page, 'Please confirm');
    const appUrl = page.url();

    // cid: image: decoded, so it has a natural size (1x1).
    const logo = frame.locator('#logo');
    await expect
      .poll(() => logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(1);
    // The remote image stays blocked until allowed.
    expect(await frame.locator('#remote').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(0);
    await expect.poll(() => page.locator('button', { hasText: 'Remote images blocked' }).count()).toBe(1);

    const [popup] = await Promise.all([context.waitForEvent('page'), frame.locator('#confirm').click()]);
    await popup.waitForLoadState();
    expect(popup.url()).toBe(landingUrl);
    expect(await popup.locator('h1').textContent()).toBe('Address confirmed');
    await popup.close();
    // The preview is still there, unchanged.
    expect(page.url()).toBe(appUrl);
    expect(await frame.locator('#greeting').textContent()).toBe('Welcome!');

    // Neither the <script> nor the onerror handler ran: no message posted, the title untouched.
    await page.waitForTimeout(300);
    expect(messages).toEqual([]);
    expect(await frame.locator('title').textContent()).toBe('t');
    expect(await page.title()).toBe('minimail');
    await page.close();
  });

  it('downloads an attachment byte-exact and shows text links clickable', async () => {
    await deliver(
      minimail.store,
      ['bob@dev.test'],
      richMessage({ to: 'bob@dev.test', subject: 'Your files', link: landingUrl }),
    );
    const page = await openApp();
    await openMessage(page, 'Your files');
    await page.locator('[data-tab="parts"]').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('a', { hasText: 'data.bin' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('data.bin');
    expect(readFileSync(await download.path()).equals(BINARY_ATTACHMENT)).toBe(true);
    // An image part has a thumbnail that loaded.
    await expect
      .poll(() => page.locator('img.thumb').evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBe(1);

    await page.locator('[data-tab="text"]').click();
    const link = page.locator('.text-body a');
    expect(await link.getAttribute('href')).toBe(landingUrl);
    expect(await link.getAttribute('target')).toBe('_blank');
    await page.close();
  });

  it(`finds a message by body text among ${BULK}`, async () => {
    const base = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < BULK; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          deliver(
            minimail.store,
            [`user${(i + j) % 20}@bulk.test`],
            plainMessage(
              'shop@bulk.test',
              `user${(i + j) % 20}@bulk.test`,
              `Order ${i + j}`,
              `Thanks for order number ${i + j}.`,
            ),
            new Date(base + (i + j) * 1000),
          ),
        ),
      );
    }
    await deliver(
      minimail.store,
      ['carol@dev.test'],
      plainMessage('friend@home.test', 'carol@dev.test', 'Holiday plans', 'The cabin code is quokka-7781.'),
      new Date(base - 1000),
    );
    const page = await openApp();
    await page.locator('input[type="search"]').fill('quokka-7781');
    await page.locator('input[type="search"]').press('Enter');
    await expect.poll(() => page.locator('.count').textContent()).toMatch(/^1 of \d+ match$/);
    const rows = page.locator('li.row');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('.subject').textContent()).toBe('Holiday plans');
    // The list has the true total and pages through it.
    await page.locator('button', { hasText: 'Clear' }).click();
    await expect.poll(() => page.locator('.list-head .range').textContent()).toMatch(/^1–50 of 20\d\d$/);
    await page.locator('button[aria-label="Older"]').click();
    await expect.poll(() => page.locator('.list-head .range').textContent()).toMatch(/^51–100 of/);
    await page.close();
  });

  it('shows a message sent over SMTP during the test without a reload', async () => {
    const page = await openApp();
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same document'));
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: minimail.smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: 'app@live.test',
      to: 'dave@dev.test',
      subject: 'Live arrival 42',
      text: 'hello',
    });
    transport.close();
    await page.locator('li.row', { hasText: 'Live arrival 42' }).waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe(
      'same document',
    );
    await page.close();
  });

  it('renders dark mode and a 375 px layout without overlap', async () => {
    const page = await context.newPage();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(minimail.httpUrl);
    await page.waitForSelector('li.row');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
      'rgb(20, 23, 28)',
    );
    const overlaps = await page.evaluate(() => {
      const boxes = [...document.querySelectorAll('.toolbar > *, .toolbar .actions > *, .list-head > *')]
        .filter((el) => el.getClientRects().length > 0 && !el.classList.contains('actions'))
        .map((el) => ({ name: el.className || el.tagName, box: el.getBoundingClientRect() }));
      const hits: string[] = [];
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!.box;
          const b = boxes[j]!.box;
          const inside = (x: DOMRect, y: DOMRect) =>
            x.left >= y.left && x.right <= y.right && x.top >= y.top && x.bottom <= y.bottom;
          if (inside(a, b) || inside(b, a)) continue; // a child and its container
          if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
            hits.push(`${boxes[i]!.name} x ${boxes[j]!.name}`);
          }
        }
      }
      return { hits, scrollWidth: document.documentElement.scrollWidth };
    });
    expect(overlaps.hits).toEqual([]);
    expect(overlaps.scrollWidth).toBeLessThanOrEqual(375);
    // Opening a message shows it full width, the list out of the way, and Back returns.
    await page.locator('li.row').first().click();
    const viewer = await page.locator('section.viewer').boundingBox();
    expect(viewer!.width).toBeGreaterThan(360);
    expect(await page.locator('section.list').isVisible()).toBe(false);
    await page.locator('button.back').click();
    expect(await page.locator('section.list').isVisible()).toBe(true);
    await page.close();
  });

  it('deletes all messages matching a search, and only those', async () => {
    for (let i = 0; i < 5; i++) {
      await deliver(
        minimail.store,
        ['erin@dev.test'],
        plainMessage('promo@deals.test', 'erin@dev.test', `Flash sale ${i}`, 'zebra-discount inside'),
      );
    }
    await deliver(
      minimail.store,
      ['erin@dev.test'],
      plainMessage('boss@work.test', 'erin@dev.test', 'Zebra meeting', 'agenda attached'),
    );
    const count = async (query: string): Promise<number> =>
      (
        (await (
          await fetch(`${minimail.httpUrl}/api/v1/search?query=${encodeURIComponent(query)}`)
        ).json()) as { messages_count: number }
      ).messages_count;
    const before = (await (await fetch(`${minimail.httpUrl}/api/v1/messages?limit=1`)).json()) as {
      total: number;
    };
    expect(await count('zebra-discount')).toBe(5);

    const page = await openApp('zebra-discount');
    await expect.poll(() => page.locator('li.row').count()).toBe(5);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('[data-action="delete-matching"]').click();
    await expect.poll(() => page.locator('li.row').count()).toBe(0);
    expect(await count('zebra-discount')).toBe(0);
    expect(await count('subject:"Zebra meeting"')).toBe(1);
    const after = (await (await fetch(`${minimail.httpUrl}/api/v1/messages?limit=1`)).json()) as {
      total: number;
    };
    expect(after.total).toBe(before.total - 5);
    await page.close();
  });
});
