/**
 * `import { test, expect } from '@minimail/testing/playwright'`: Playwright Test's `test` with a
 * `mail` fixture, a fresh mail server per test: `test('signs up', async ({ page, mail }) => ...)`.
 */
import { test as base } from '@playwright/test';
import { mailFixture } from './fixture.js';
import type { MailServer } from './start.js';

export const test = base.extend<{ mail: MailServer }>({ mail: mailFixture() });
export { expect } from '@playwright/test';
