import { afterEach, describe, expect, it } from 'vitest';
import type { CaughtMessage, CaughtSummary } from '../catcher/caught-mail.js';
import { LIST_MAX_MESSAGES } from '../limits.js';
import { request } from '../test-support/http-client.js';
import { deliverTo, startHttp, type Setup } from '../test-support/setup.js';

let setup: Setup | null = null;
afterEach(async () => {
  await setup?.close();
  setup = null;
});

const SIMPLE = `From: App <app@example.test>
To: alice@dev.test
Subject: =?UTF-8?B?SGVsbG8g8J+Njg==?=
Date: Tue, 24 Nov 2026 10:00:00 +0000

plain body
`;

const MULTIPART = `From: app@example.test
To: bob@dev.test
Subject: Welcome
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Gr=FC=DFe, a long line that is soft=
 broken
--inner
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

PHA+R3LDvMOfZTwvcD4=
--inner--
--outer
Content-Type: application/pdf; name="report.pdf"
Content-Disposition: attachment; filename="report.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--outer--
`;

type List = { messages: CaughtSummary[] };

describe('mail-catcher API', () => {
  it('lists caught messages newest first, per recipient, with decoded headers', async () => {
    setup = await startHttp('dev');
    const beforeDelivery = Date.now();
    const uid = await deliverTo(setup.store, 'alice@dev.test', SIMPLE);
    const afterDelivery = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later internal date
    await deliverTo(setup.store, 'bob@dev.test', MULTIPART);

    const all = (await request(setup.port, 'GET', '/api/messages')).json<List>();
    expect(all.messages.map((m) => [m.owner, m.subject])).toEqual([
      ['bob@dev.test', 'Welcome'],
      ['alice@dev.test', 'Hello 🍎'],
    ]);
    const alice = (await request(setup.port, 'GET', '/api/messages?to=ALICE@dev.test')).json<List>();
    expect(alice.messages).toHaveLength(1);
    const [summary] = alice.messages;
    expect(summary).toMatchObject({
      owner: 'alice@dev.test',
      uid,
      from: 'App <app@example.test>',
      to: 'alice@dev.test',
      subject: 'Hello 🍎',
      size: Buffer.byteLength(SIMPLE.replace(/\n/g, '\r\n')),
    });
    // The id is `<mailboxId>-<uid>` of alice's INBOX (caught-mail.ts).
    const aliceUser = await setup.store.getUser('alice@dev.test');
    const aliceInbox = await setup.store.getMailbox(aliceUser!.id, 'INBOX');
    expect(summary?.id).toBe(`${aliceInbox!.id}-${uid}`);
    // The internal date of the delivery, not the Date header (2026-11-24T10:00:00Z).
    const date = new Date(summary!.date).getTime();
    expect(date).toBeGreaterThanOrEqual(Math.floor(beforeDelivery / 1000) * 1000);
    expect(date).toBeLessThanOrEqual(afterDelivery);
    expect((await request(setup.port, 'GET', '/api/messages?to=nobody@dev.test')).json()).toEqual({
      messages: [],
    });
  });

  it('lists at most LIST_MAX_MESSAGES, the newest (highest UID on equal dates) first', async () => {
    setup = await startHttp('dev');
    const first = await deliverTo(setup.store, 'alice@dev.test', SIMPLE);
    const user = await setup.store.getUser('alice@dev.test');
    const inbox = (await setup.store.getMailbox(user!.id, 'INBOX'))!;
    // Doubling by copying within the INBOX: 512 messages in 9 store calls (copies keep the date).
    for (let uids = [first]; uids.length < 512;) {
      const copied = await setup.store.copyMessages(inbox.id, uids, inbox.id);
      uids = [...uids, ...copied.targetUids];
    }
    const all = await setup.store.listMessages(inbox.id);
    expect(all).toHaveLength(512);
    const newest = all.map((m) => m.uid).sort((a, b) => b - a);
    const listed = (await request(setup.port, 'GET', '/api/messages')).json<List>().messages;
    expect(listed).toHaveLength(LIST_MAX_MESSAGES);
    expect(listed.map((m) => m.uid)).toEqual(newest.slice(0, LIST_MAX_MESSAGES));
  });

  it('shows one message with text and html decoded and attachments listed, and its raw bytes', async () => {
    setup = await startHttp('dev');
    await deliverTo(setup.store, 'bob@dev.test', MULTIPART);
    const [summary] = (await request(setup.port, 'GET', '/api/messages')).json<List>().messages;
    const answer = await request(setup.port, 'GET', `/api/messages/${summary!.id}`);
    expect(answer.status).toBe(200);
    const message = answer.json<CaughtMessage>();
    expect(message.text).toBe('Grüße, a long line that is soft broken');
    expect(message.html).toBe('<p>Grüße</p>');
    expect(message.attachments).toEqual([
      { filename: 'report.pdf', contentType: 'application/pdf', size: 9 },
    ]);
    expect(message.headers.slice(0, 3)).toEqual([
      { name: 'From', value: 'app@example.test' },
      { name: 'To', value: 'bob@dev.test' },
      { name: 'Subject', value: 'Welcome' },
    ]);
    expect(message.flags).toEqual([]);

    const raw = await request(setup.port, 'GET', `/api/messages/${summary!.id}/raw`);
    expect(raw.status).toBe(200);
    expect(raw.headers['content-type']).toBe('message/rfc822');
    expect(raw.text).toBe(MULTIPART.replace(/\n/g, '\r\n'));
    expect((await request(setup.port, 'GET', '/api/messages/999-1')).status).toBe(404);
    expect((await request(setup.port, 'GET', '/api/messages/not-an-id/raw')).status).toBe(404);
  });

  it('deletes one message, then all of them', async () => {
    setup = await startHttp('dev');
    await deliverTo(setup.store, 'alice@dev.test', SIMPLE);
    await deliverTo(setup.store, 'alice@dev.test', SIMPLE);
    await deliverTo(setup.store, 'bob@dev.test', MULTIPART);
    const ids = (await request(setup.port, 'GET', '/api/messages')).json<List>().messages.map((m) => m.id);
    expect((await request(setup.port, 'DELETE', `/api/messages/${ids[0]}`)).status).toBe(204);
    expect((await request(setup.port, 'DELETE', `/api/messages/${ids[0]}`)).status).toBe(404);
    expect((await request(setup.port, 'GET', `/api/messages/${ids[0]}`)).status).toBe(404);
    expect((await request(setup.port, 'DELETE', '/api/messages')).json()).toEqual({ deleted: 2 });
    expect((await request(setup.port, 'GET', '/api/messages')).json()).toEqual({ messages: [] });
  });

  it('long-polls until mail for the address arrives, also when another connection delivers it', async () => {
    setup = await startHttp('dev');
    const waiting = request(setup.port, 'GET', '/api/messages/wait?to=carol@dev.test&timeout=20');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Another store on the same file stands in for an SMTP process: only the change feed tells us.
    const uid = await deliverTo(setup.otherStore(), 'carol@dev.test', SIMPLE);
    const answer = await waiting;
    expect(answer.status).toBe(200);
    const { messages } = answer.json<List>();
    expect(messages.map((m) => [m.owner, m.uid, m.subject])).toEqual([['carol@dev.test', uid, 'Hello 🍎']]);

    // Mail already there is returned at once; `after` asks for newer mail only.
    expect(
      (await request(setup.port, 'GET', '/api/messages/wait?to=carol@dev.test')).json<List>().messages,
    ).toHaveLength(1);
    const next = request(setup.port, 'GET', `/api/messages/wait?to=carol@dev.test&after=${uid}&timeout=20`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await deliverTo(setup.store, 'carol@dev.test', MULTIPART);
    expect((await next).json<List>().messages.map((m) => m.uid)).toEqual([second]);
  });

  it('answers 204 when the wait times out, 400 for bad parameters, and ends waits on close', async () => {
    setup = await startHttp('dev');
    const started = Date.now();
    expect((await request(setup.port, 'GET', '/api/messages/wait?to=dave@dev.test&timeout=1')).status).toBe(
      204,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const timeoutError = 'timeout must be a whole number of seconds up to 300';
    for (const [query, error] of [
      ['', 'to=ADDRESS is required'],
      ['to=dave@dev.test&timeout=abc', timeoutError],
      ['to=dave@dev.test&timeout=301', timeoutError],
      ['to=dave@dev.test&after=-1', 'after must be a UID (a whole number)'],
      ['to=not-an-address', 'invalid address: "not-an-address"'],
    ] as const) {
      const answer = await request(setup.port, 'GET', `/api/messages/wait?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.json(), query).toEqual({ error });
    }
    const pending = request(setup.port, 'GET', '/api/messages/wait?to=dave@dev.test&timeout=60');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await setup.http.close();
    expect((await pending).status).toBe(204);
  });

  it('without a web build, / says how to build it, under the strict Content-Security-Policy', async () => {
    setup = await startHttp('dev');
    const page = await request(setup.port, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.text).toContain('The web app is not built');
  });
});

describe('mail caught before the search index', () => {
  it('becomes searchable once the catcher starts: the server indexes it in the background', async () => {
    setup = await startHttp('dev');
    // Another process without the index hook (an older minimail) caught this one.
    const { openStore } = await import('@minimail/store');
    const older = openStore({ path: setup.path });
    await deliverTo(older, 'alice@dev.test', SIMPLE);
    await older.close();
    const search = async (port: number) =>
      (await request(port, 'GET', '/api/v1/search?query=plain%20body')).json<{
        messages_count: number;
        messages: Array<{ Subject: string }>;
      }>();
    expect((await search(setup.port)).messages_count).toBe(0);

    // A catcher starting on this store (as after an upgrade) indexes it.
    const { createHttpServer } = await import('../index.js');
    const again = createHttpServer(setup.options);
    const port = await again.listen(0, '127.0.0.1');
    try {
      await expect
        .poll(async () => {
          const found = await search(port);
          return [found.messages_count, found.messages.map((m) => m.Subject)];
        })
        .toEqual([1, ['Hello 🍎']]);
    } finally {
      await again.close();
    }
  });
});
