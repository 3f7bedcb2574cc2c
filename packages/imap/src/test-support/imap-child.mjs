// An IMAP server in its own process, for tests that need a second server process on one store
// file: it serves the given SQLite file in the dev profile and prints "port <n>" once listening.
/* global process, console */
import { createLogger } from '@minimail/protocol';
import { openStore } from '@minimail/store';
import { createImapServer } from '../../dist/index.js';

const [dbPath] = process.argv.slice(2);
const store = openStore({ path: dbPath, changePollIntervalMs: 100 });
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
