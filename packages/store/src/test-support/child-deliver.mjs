/* global process, Buffer */
// Runs in a separate process: opens the store on argv[2], delivers argv[4] messages (default 1)
// one after another into mailbox argv[3], printing each UID once it is committed, then exits.
// Used by the cross-process change-feed and concurrent-writer tests. argv[5] `thread` writes on
// the writer thread; `thread-no-close` also leaves the store open, so the process ends only when
// nothing keeps it alive (the thread-writer tests).
import { openStore } from '../../dist/index.js';

const [path, mailboxId, count = '1', mode = 'inline'] = process.argv.slice(2);
const store = openStore({ path, writer: mode.startsWith('thread') ? 'thread' : 'inline' });
for (let index = 0; index < Number(count); index += 1) {
  const result = await store.deliver({
    raw: Buffer.from(`Subject: from another process ${index}\r\n\r\nhello\r\n`),
    targets: [{ mailboxId: Number(mailboxId) }],
  });
  process.stdout.write(`${result.copies[0].uid}\n`);
}
if (mode !== 'thread-no-close') await store.close();
