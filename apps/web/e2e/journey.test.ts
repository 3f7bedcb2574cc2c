import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { childPort } from '@minimail/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium } from './support.js';

const run = promisify(execFile);
const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const BIN = join(ROOT, 'apps', 'mailserver', 'bin', 'minimail.js');
/** The same real clients as the mailserver journey test: smtplib, poplib, imaplib. */
const CLIENTS = join(ROOT, 'apps', 'mailserver', 'e2e', 'clients', 'journey_clients.py');
const PASSWORD = 'Br0wser-s3cret';

const missing = chromiumMissing();
if (missing !== null) console.warn(`web journey e2e skipped: ${missing}`);

describe.skipIf(missing !== null)('the Journey tab and the live Sessions view in Chromium (issue 16)', () => {
  let child: ChildProcess;
  let dataDir: string;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  const ports = { http: 0, submission: 0, pop3: 0, imap: 0 };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'minimail-web-journey-'));
    for (const name of Object.keys(ports) as Array<keyof typeof ports>) ports[name] = await childPort();
    child = spawn(process.execPath, [BIN, 'serve', '--services', 'submission,pop3,imap,http'], {
      env: {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        MINIMAIL_DATA_DIR: dataDir,
        MINIMAIL_PROFILE: 'dev',
        MINIMAIL_SUBMISSION_PORT: String(ports.submission),
        MINIMAIL_SUBMISSIONS_PORT: '0',
        MINIMAIL_POP3_PORT: String(ports.pop3),
        MINIMAIL_POP3S_PORT: '0',
        MINIMAIL_IMAP_PORT: String(ports.imap),
        MINIMAIL_IMAPS_PORT: '0',
        MINIMAIL_HTTP_PORT: String(ports.http),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    await new Promise<void>((ready, reject) => {
      const timer = setTimeout(() => reject(new Error(`minimail did not start:\n${output}`)), 30_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (!output.includes('minimail ready')) return;
        clearTimeout(timer);
        ready();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', () => reject(new Error(`minimail exited:\n${output}`)));
    });
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows sessions that start after the page opened, then the journey of the message with its transcripts', async () => {
    const base = `http://127.0.0.1:${ports.http}`;
    const page = await chromium.context.newPage();
    await page.goto(`${base}/?sessions`);
    await page.waitForSelector('.session-list');
    expect(await page.locator('.session-row').count()).toBe(0);
    // A marker that a reload would wipe: the rows must arrive by push, not by reloading the page.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));

    const { stdout } = await run('python3', [
      CLIENTS,
      String(ports.submission),
      String(ports.pop3),
      String(ports.imap),
      PASSWORD,
    ]);
    const sent = JSON.parse(stdout) as { smtp: string[]; pop3: string[]; imap: string[] };

    await page.locator('.session-row[data-protocol="submission"]').waitFor();
    await page.locator('.session-row[data-protocol="imap"]').waitFor();
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    expect(
      await page
        .locator('.session-row')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-protocol'))),
    ).toEqual(['imap', 'pop3', 'submission']);

    // Filters: protocol, then address.
    await page.selectOption('select[aria-label="Protocol"]', 'pop3');
    await expect
      .poll(() =>
        page.locator('.session-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-protocol'))),
      )
      .toEqual(['pop3']);
    await page.selectOption('select[aria-label="Protocol"]', '');
    await page.fill('input[aria-label="Address"]', 'alice@');
    await expect
      .poll(() =>
        page.locator('.session-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-protocol'))),
      )
      .toEqual(['submission']);

    // One session: its lines, the password masked, each command explained.
    await page.locator('.session-row').first().click();
    await page.locator('.transcript .line').first().waitFor();
    const texts = await page.locator('.transcript .line code').allTextContents();
    expect(texts).toContain('C: AUTH PLAIN ***');
    expect(texts).toContain('[TLS started: what follows is encrypted on the wire]');
    expect(await page.content()).not.toContain(PASSWORD);
    const ehlo = page.locator('.transcript .line', { hasText: `C: ${sent.smtp[0]}` });
    await expect.poll(() => ehlo.first().locator('.annotation').textContent()).toContain('RFC 5321 4.1.1.1');

    // The Journey tab, opened by the URL `minimail demo` prints.
    const { messages } = (await (await fetch(`${base}/api/v1/messages`)).json()) as {
      messages: Array<{ ID: string }>;
    };
    await page.goto(`${base}/?message=${messages[0]!.ID}&tab=journey`);
    await page.locator('.timeline .step').nth(2).waitFor();
    expect(
      await page
        .locator('.timeline .step')
        .evaluateAll((steps) => steps.map((s) => s.getAttribute('data-protocol'))),
    ).toEqual(['submission', 'pop3', 'imap']);

    // Each step opens its transcript at the line that moved the message.
    await page.locator('.step[data-protocol="submission"] button[data-action="delivered"]').click();
    await expect
      .poll(() => page.locator('.step[data-protocol="submission"] .line.current code').textContent())
      .toMatch(/^S: 250 /);
    await page.locator('.step[data-protocol="pop3"] button[data-action="read"]').click();
    await expect
      .poll(() => page.locator('.step[data-protocol="pop3"] .line.current code').textContent())
      .toMatch(/^S: \+OK/);
    const pop3Lines = await page.locator('.step[data-protocol="pop3"] .line code').allTextContents();
    for (const line of sent.pop3)
      expect(pop3Lines).toContain(line.startsWith('PASS ') ? 'C: PASS ***' : `C: ${line}`);
    await page.locator('.step[data-protocol="imap"] button[data-action="flagged"]').click();
    await expect
      .poll(() => page.locator('.step[data-protocol="imap"] .line.current code').textContent())
      .toMatch(/^S: \* 1 FETCH \(FLAGS \(.*\\Flagged/);
    const imapLines = await page.locator('.step[data-protocol="imap"] .line code').allTextContents();
    for (const line of sent.imap) {
      const login = /^(\S+ LOGIN) /.exec(line);
      expect(imapLines).toContain(login ? `C: ${login[1]} ***` : `C: ${line}`);
    }
    expect(await page.content()).not.toContain(PASSWORD);

    // Side by side: one column per protocol, in time order, the lines that moved the message marked.
    await page.locator('.side-toggle input').check();
    await page.locator('.side-by-side tbody tr').first().waitFor();
    const columns = await page
      .locator('.side-by-side tbody tr')
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-column'))));
    // SMTP's lines all come before POP3's, which all come before IMAP's (the clients ran in turn).
    expect([...columns].sort((a, b) => a - b)).toEqual(columns);
    expect(new Set(columns)).toEqual(new Set([0, 1, 2]));
    const moved = await page
      .locator('.side-by-side tr.moved')
      .evaluateAll((rows) =>
        rows.map(
          (r) => `${r.getAttribute('data-column')} ${r.querySelector('code')?.textContent?.slice(0, 6)}`,
        ),
      );
    expect(moved[0]).toMatch(/^0 S: 250/);
    expect(moved.filter((m) => m.startsWith('1 '))).toHaveLength(1);
    expect(moved.filter((m) => m.startsWith('2 '))).toHaveLength(2);
    await page.close();
  });

  it('starts the journey of a message made over IMAP at its APPEND', async () => {
    const base = `http://127.0.0.1:${ports.http}`;
    // imaplib: APPEND a message, then flag it (its CLOSE step is asserted in the mailserver e2e:
    // a message CLOSE removed has no page of its own).
    const script = [
      'import imaplib, sys',
      `m = imaplib.IMAP4('127.0.0.1', ${ports.imap})`,
      `m.login('carol@dev.test', '${PASSWORD}')`,
      "typ, data = m.append('INBOX', None, None, b'From: carol@dev.test\\r\\nSubject: made here\\r\\n\\r\\nhi\\r\\n')",
      'print(data[0].decode())',
      'sys.stdout.flush()',
      "m.select('INBOX')",
      "m.store('1', '+FLAGS', '\\\\Flagged')",
      'm.logout()',
    ].join('\n');
    const python = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const appended = await new Promise<string>((resolve) =>
      python.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
    );
    expect(appended).toMatch(/^\[APPENDUID \d+ 1\] APPEND completed$/);
    const { messages } = (await (await fetch(`${base}/api/v1/messages`)).json()) as {
      messages: Array<{ ID: string; Subject: string }>;
    };
    const id = messages.find((m) => m.Subject === 'made here')!.ID;
    await new Promise((done) => python.once('exit', done));

    const page = await chromium.context.newPage();
    await page.goto(`${base}/?message=${id}&tab=journey`);
    const step = page.locator('.step[data-protocol="imap"]');
    await step.locator('button[data-action="flagged"]').waitFor();
    expect(
      await step.locator('button').evaluateAll((b) => b.map((x) => x.getAttribute('data-action'))),
    ).toEqual(['appended', 'flagged']);
    expect(await step.locator('button[data-action="appended"]').textContent()).toMatch(
      /^appended \(stored durably, then OK with its APPENDUID\) at line \d+$/,
    );
    await step.locator('button[data-action="appended"]').click();
    await expect
      .poll(() => step.locator('.line.current code').textContent())
      .toMatch(/^S: \S+ OK \[APPENDUID \d+ 1\] APPEND completed$/);
    await page.close();
  });
});
