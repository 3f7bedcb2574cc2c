import { startMailServer, type MailServer, type StartMailServerOptions } from './start.js';

/**
 * A test fixture in the shape vitest's and Playwright's `test.extend` both take: a mail server
 * started for the test and stopped after it. (Both runners read the first parameter's
 * destructuring to learn the fixture's dependencies, hence the empty pattern.)
 */
export function mailFixture(options: StartMailServerOptions = {}) {
  // eslint-disable-next-line no-empty-pattern
  return async ({}: object, use: (mail: MailServer) => Promise<void>): Promise<void> => {
    const mail = await startMailServer(options);
    try {
      await use(mail);
    } finally {
      await mail.stop();
    }
  };
}
