// Runs in a separate process: opens the store on argv[2] and delivers one message into the
// mailbox argv[3], then prints its UID and exits. Used by the cross-process change-feed test.
import { openStore } from '../../dist/index.js';

const [path, mailboxId] = process.argv.slice(2);
const store = openStore({ path });
const result = await store.deliver({
  raw: Buffer.from('Subject: from another process\r\n\r\nhello\r\n'),
  targets: [{ mailboxId: Number(mailboxId) }],
});
process.stdout.write(`${result.copies[0].uid}\n`);
await store.close();
