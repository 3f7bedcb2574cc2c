/**
 * @minimail/testing: minimail in-process for other people's test suites (issue 17).
 *
 *   const mail = await startMailServer();            // ports: mail.smtp, mail.imap, mail.pop3, mail.http
 *   const message = await mail.waitFor({ to: 'new-user@example.test', subject: 'Confirm' });
 *   const [link] = extractLinks(message);
 *   const code = extractCode(message);
 *
 * Fixtures: `@minimail/testing/vitest` and `@minimail/testing/playwright` export a `test` with `mail`.
 */
export { startMailServer, SERVICES } from './start.js';
export type {
  ChaosStage,
  ChaosTrigger,
  ChaosTriggers,
  MailServer,
  MessageFilter,
  ServiceName,
  StartMailServerOptions,
  WaitForOptions,
} from './start.js';
export type { Message } from './message.js';
export { extractCode, extractLinks, type ExtractCodeOptions } from './extract.js';
export { mailFixture } from './fixture.js';
