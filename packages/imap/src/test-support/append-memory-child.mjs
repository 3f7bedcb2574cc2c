// An IMAP server alone in its process (dev profile, the app's describeBody hook, the store's
// writer thread and a spool in the data dir as `minimail serve` has them), so that a test can
// read its resident memory (/proc/<pid>/status) without the test runner's in the number.
// Arguments: data dir, then optional JSON limits. Prints "port <n>" once listening, and
// "files <n>" (the spool directory's entries) on SIGUSR2.
/* global process, console */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage, serializeStructure } from '@minimail/mime';
import { createLogger, MessageSpool } from '@minimail/protocol';
import { openStore } from '@minimail/store';
import { createImapServer } from '../../dist/index.js';

const [dataDir, limits = '{}'] = process.argv.slice(2);
const store = await openStore({
  path: join(dataDir, 'minimail.sqlite'),
  writer: 'thread',
  describeBody: (raw) => serializeStructure(parseMessage(raw)),
});
const spool = new MessageSpool({ dir: join(dataDir, 'spool') });
const server = createImapServer({
  store,
  logger: createLogger({ level: 'silent' }),
  hostname: 'child.test',
  profile: 'dev',
  tls: null,
  implicitTls: false,
  spool,
  limits: JSON.parse(limits),
});
const port = await server.listen(0, '127.0.0.1');
console.log(`port ${port}`);
process.on('SIGUSR2', () => console.log(`files ${readdirSync(spool.dir).length}`));
process.on('SIGTERM', () => {
  void server
    .close()
    .then(() => spool.discardAll())
    .then(() => store.close())
    .then(() => process.exit(0));
});
