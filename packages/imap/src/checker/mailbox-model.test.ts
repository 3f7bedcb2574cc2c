/**
 * The checker's model of a QRESYNC client (RFC 7162 3.2.10): VANISHED naming a UID the client
 * never learnt. Seeds 22 and 44 of the multi-client checker failed now and then with
 * `checkpoint, client 4: UID N has flags (...)`: a .SILENT STORE by sequence number set flags on
 * a message of unknown UID that the server had already expunged elsewhere (so it changed and
 * said nothing), and the later VANISHED removed another unknown message in its place.
 */
import { expect, it } from 'vitest';
import { MailboxModel } from './mailbox-model.js';

function modelWithUnknownMessages(): MailboxModel {
  const model = new MailboxModel(false);
  model.exists(4);
  model.fetch({ sequence: 1, uid: 10, flags: [] });
  model.fetch({ sequence: 4, uid: 40, flags: [] });
  return model;
}

it('forgets what it assumed about unknown messages when VANISHED cannot say which one went', () => {
  const model = modelWithUnknownMessages();
  // The client's own STORE 3 FLAGS.SILENT ($Label1): what it assumes without being told.
  (model.messages[2] as { flags: Set<string> | null }).flags = new Set(['$Label1']);
  model.vanish(25);
  expect(model.messages.map((message) => [message.uid, message.flags && [...message.flags]])).toEqual([
    [10, []],
    [null, null],
    [40, []],
  ]);
});

it('removes one of alike unknown messages, and a known UID exactly', () => {
  const model = modelWithUnknownMessages();
  model.vanish(25);
  model.vanish(40);
  expect(model.messages.map((message) => [message.uid, message.flags && [...message.flags]])).toEqual([
    [10, []],
    [null, null],
  ]);
  expect(() => model.vanish(5)).toThrow('VANISHED names UID 5, which the client does not count');
});
