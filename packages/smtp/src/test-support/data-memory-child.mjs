// An SMTP MX alone in its process (dev profile, the store's writer thread and a spool in the data
// dir as `minimail serve` has them), so that a test can read its resident memory alone.
// Arguments: data dir, then JSON service options (maxMessageSize, maxConnectionsPerIp, ...). Prints "port <n>" once listening, and "files <n>" (the
// spool directory's entries) on SIGUSR2.
/* global process, console */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage, serializeStructure } from '@minimail/mime';
import { createLogger, MessageSpool } from '@minimail/protocol';
import { openStore } from '@minimail/store';
import { createMxServer } from '../../dist/index.js';

const [dataDir, options = '{}'] = process.argv.slice(2);
const store = await openStore({
  path: join(dataDir, 'minimail.sqlite'),
  writer: 'thread',
  describeBody: (raw) => serializeStructure(parseMessage(raw)),
});
const spool = new MessageSpool({ dir: join(dataDir, 'spool') });
const server = createMxServer({
  store,
  logger: createLogger({ level: 'silent' }),
  hostname: 'mx.test',
  profile: 'dev',
  tls: null,
  spool,
  ...JSON.parse(options),
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
