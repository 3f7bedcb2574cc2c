/**
 * `import { test } from '@minimail/testing/vitest'`: vitest's `test` with a `mail` fixture, a fresh
 * mail server per test that uses it: `test('signs up', async ({ mail }) => { ... })`.
 */
import { test as base } from 'vitest';
import { mailFixture } from './fixture.js';
import type { MailServer } from './start.js';

export const test = base.extend<{ mail: MailServer }>({ mail: mailFixture() });
export { expect } from 'vitest';
