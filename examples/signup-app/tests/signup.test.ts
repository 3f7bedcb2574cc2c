/**
 * The sign-up flow in vitest, with @minimail/testing's fixture: a fresh mail server per test.
 */
import { extractCode, extractLinks } from '@minimail/testing';
import { expect, test } from '@minimail/testing/vitest';
import { startSignupApp } from '../src/app.js';

test('signing up mails a link that confirms the account', async ({ mail }) => {
  const app = await startSignupApp({ smtp: { host: mail.host, port: mail.smtp } });
  try {
    const form = await fetch(`${app.url}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=new-user%40example.test',
    });
    expect(form.status).toBe(200);

    const message = await mail.waitFor({ to: 'new-user@example.test', subject: 'Confirm', timeout: 15_000 });
    expect(message.from).toBe('Signup App <no-reply@signup-app.test>');
    const links = extractLinks(message);
    expect(links).toHaveLength(1);
    expect(links[0]).toMatch(new RegExp(`^${app.url}/confirm\\?token=[0-9a-f]{32}$`));
    expect(extractCode(message)).toMatch(/^\d{6}$/);

    const confirmed = await fetch(links[0]!);
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('<h1 id="welcome">Welcome, new-user@example.test!</h1>');
  } finally {
    await app.close();
  }
});

test('each test gets its own empty mail server; reset() empties it again', async ({ mail }) => {
  expect(await mail.messages()).toEqual([]);
  const app = await startSignupApp({ smtp: { host: mail.host, port: mail.smtp } });
  try {
    for (const email of ['a@example.test', 'b@example.test']) {
      await fetch(`${app.url}/signup`, { method: 'POST', body: new URLSearchParams({ email }) });
    }
    await mail.waitFor({ to: 'b@example.test', timeout: 15_000 });
    expect((await mail.messages()).map((m) => m.to).sort()).toEqual(['a@example.test', 'b@example.test']);
    await mail.reset();
    expect(await mail.messages()).toEqual([]);
  } finally {
    await app.close();
  }
});
