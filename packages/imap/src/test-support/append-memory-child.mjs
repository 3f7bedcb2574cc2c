// An IMAP server alone in its process (dev profile, the app's describeBody hook), so that a test
// can read its resident memory (/proc/<pid>/status) without the test runner's in the number.
// Prints "port <n>" once listening.
/* global process, console */
import { parseMessage, serializeStructure } from '@minimail/mime';
import { createLogger } from '@minimail/protocol';
import { openStore } from '@minimail/store';
import { createImapServer } from '../../dist/index.js';

const [dbPath] = process.argv.slice(2);
const store = await openStore({ path: dbPath, describeBody: (raw) => serializeStructure(parseMessage(raw)) });
const server = createImapServer({
  store,
  logger: createLogger({ level: 'silent' }),
  hostname: 'child.test',
  profile: 'dev',
  tls: null,
  implicitTls: false,
});
const port = await server.listen(0, '127.0.0.1');
console.log(`port ${port}`);
process.on('SIGTERM', () => {
  void server
    .close()
    .then(() => store.close())
    .then(() => process.exit(0));
});
