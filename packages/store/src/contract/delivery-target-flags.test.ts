/** Per-target flags of a delivery (Sieve imap4flags, RFC 5232): every backend keeps them apart. */
import { describe, expect, it } from 'vitest';
import { TempStores } from '../test-support/temp-store.js';

describe('per-target flags (Sieve imap4flags at delivery)', () => {
  it('each target keeps its own flags; targets without flags get the request flags', async () => {
    const temp = new TempStores();
    try {
      const store = await temp.open();
      await store.addDomain('example.com');
      const bob = await store.addUser('bob@example.com', null);
      await store.createMailbox(bob.id, 'Work');
      await store.deliver({
        raw: Buffer.from('Subject: x\r\n\r\nbody\r\n'),
        targets: [
          { userId: bob.id, flags: ['\\Flagged', '$Work', '\\flagged'] },
          { userId: bob.id, mailbox: 'Work' },
        ],
        flags: ['\\Seen'],
      });
      const inbox = (await store.getMailbox(bob.id, 'INBOX'))!;
      const work = (await store.getMailbox(bob.id, 'Work'))!;
      expect((await store.listMessages(inbox.id)).map((m) => m.flags)).toEqual([['\\Flagged', '$Work']]);
      expect((await store.listMessages(work.id)).map((m) => m.flags)).toEqual([['\\Seen']]);
    } finally {
      await temp.cleanup();
    }
  });
});
