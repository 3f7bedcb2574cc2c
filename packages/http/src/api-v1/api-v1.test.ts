import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request, type HttpAnswer } from '../test-support/http-client.js';
import {
  BINARY_ATTACHMENT,
  deliverToMany,
  plainMessage,
  PNG_1X1,
  richMessage,
} from '../test-support/fixtures.js';
import { startHttp, type Setup } from '../test-support/setup.js';

let setup: Setup;
let validate: (path: string, method: string, status: number, answer: HttpAnswer) => void;

/** Validates answers against the server's own OpenAPI 3.1 document, by path template and method. */
async function loadValidator(port: number) {
  const doc = (await request(port, 'GET', '/api/v1/openapi.json')).json<{
    openapi: string;
    paths: Record<
      string,
      Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
    >;
    components: { schemas: Record<string, unknown> };
  }>();
  expect(doc.openapi).toBe('3.1.0');
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'openapi.json', components: doc.components, paths: doc.paths });
  return (path: string, method: string, status: number, answer: HttpAnswer) => {
    expect(answer.status, `${method} ${path}: ${answer.text.slice(0, 200)}`).toBe(status);
    const operation = doc.paths[path]?.[method];
    expect(operation, `${method} ${path} is in the document`).toBeDefined();
    const content = operation!.responses[String(status)]?.content;
    expect(content, `${method} ${path} ${status} is described`).toBeDefined();
    const [type, { schema }] = Object.entries(content!)[0]!;
    if (type !== 'application/json') return;
    const pointer = `openapi.json#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}/responses/${status}/content/application~1json/schema`;
    const check = ajv.getSchema(pointer) ?? ajv.compile({ $ref: pointer });
    expect(schema).toBeDefined();
    if (!check(answer.json())) throw new Error(`${method} ${path}: ${ajv.errorsText(check.errors)}`);
  };
}

const json = (body: unknown) => JSON.stringify(body);
const jsonHeaders = { 'content-type': 'application/json' };

beforeEach(async () => {
  setup = await startHttp('dev');
  validate = await loadValidator(setup.port);
});
afterEach(() => setup.close());

describe('/api/v1 (Mailpit-compatible), validated against /api/v1/openapi.json', () => {
  it('lists one row per delivery with its recipients, pages with true totals, and reads one message', async () => {
    await deliverToMany(
      setup.store,
      ['alice@dev.test', 'bob@dev.test'],
      richMessage({
        to: 'alice@dev.test, bob@dev.test',
        subject: 'Confirm',
        link: 'http://127.0.0.1:9/confirm?t=1',
      }),
      new Date('2026-11-24T10:00:00Z'),
    );
    for (let i = 0; i < 3; i++) {
      await deliverToMany(
        setup.store,
        ['carol@dev.test'],
        plainMessage('news@blog.test', 'carol@dev.test', `Digest ${i}`, `issue number ${i}`),
        new Date(Date.UTC(2026, 10, 25, 10, i)),
      );
    }
    const list = await request(setup.port, 'GET', '/api/v1/messages?limit=2');
    validate('/api/v1/messages', 'get', 200, list);
    const page = list.json<{
      total: number;
      count: number;
      messages_count: number;
      unread: number;
      messages: Array<{ Subject: string }>;
    }>();
    expect([page.total, page.count, page.messages_count, page.unread]).toEqual([4, 2, 4, 4]);
    expect(page.messages.map((m) => m.Subject)).toEqual(['Digest 2', 'Digest 1']);
    const last = (await request(setup.port, 'GET', '/api/v1/messages?start=2&limit=5')).json<{
      messages: Array<{
        ID: string;
        Subject: string;
        Recipients: string[];
        Attachments: number;
        From: unknown;
        To: unknown;
      }>;
    }>().messages;
    expect(last.map((m) => m.Subject)).toEqual(['Digest 0', 'Confirm']);
    const confirm = last[1]!;
    expect(confirm.Recipients).toEqual(['alice@dev.test', 'bob@dev.test']);
    expect(confirm.Attachments).toBe(1);
    expect(confirm.From).toEqual({ Name: 'Shop', Address: 'noreply@shop.test' });

    const message = await request(setup.port, 'GET', `/api/v1/message/${confirm.ID}`);
    validate('/api/v1/message/{ID}', 'get', 200, message);
    const body = message.json<{
      Text: string;
      HTML: string;
      Attachments: Array<{ PartID: string; FileName: string; Size: number }>;
      Inline: Array<{ PartID: string; ContentID: string }>;
      MessageID: string;
    }>();
    expect(body.MessageID).toBe('rich-1@shop.test');
    expect(body.Text).toContain('Please confirm: http://127.0.0.1:9/confirm?t=1');
    expect(body.HTML).toContain('<a id="confirm"');
    expect(body.Attachments).toEqual([
      expect.objectContaining({ PartID: '2', FileName: 'data.bin', Size: 512 }),
    ]);
    expect(body.Inline).toEqual([expect.objectContaining({ PartID: '1.2', ContentID: 'logo@shop.test' })]);
    // Reading marks every copy read (as Mailpit does).
    expect((await request(setup.port, 'GET', '/api/v1/messages')).json<{ unread: number }>().unread).toBe(3);

    const part = await request(setup.port, 'GET', `/api/v1/message/${confirm.ID}/part/2`);
    expect(part.status).toBe(200);
    expect(part.headers['content-type']).toBe('application/octet-stream');
    expect(part.body.equals(BINARY_ATTACHMENT)).toBe(true);
    const image = await request(setup.port, 'GET', `/api/v1/message/${confirm.ID}/part/1.2`);
    expect(image.body.equals(PNG_1X1)).toBe(true);
    validate(
      '/api/v1/message/{ID}/part/{PartID}',
      'get',
      404,
      await request(setup.port, 'GET', `/api/v1/message/${confirm.ID}/part/9`),
    );

    const headers = await request(setup.port, 'GET', `/api/v1/message/${confirm.ID}/headers`);
    validate('/api/v1/message/{ID}/headers', 'get', 200, headers);
    expect(headers.json<Record<string, string[]>>()['Subject']).toEqual(['Confirm']);
    const raw = await request(setup.port, 'GET', `/api/v1/message/${confirm.ID}/raw`);
    expect(raw.text).toContain('Message-ID: <rich-1@shop.test>\r\n');
    const latest = await request(setup.port, 'GET', '/api/v1/message/latest');
    expect(latest.json<{ Subject: string }>().Subject).toBe('Digest 2');
    validate('/api/v1/message/{ID}', 'get', 404, await request(setup.port, 'GET', '/api/v1/message/99-99'));
  });

  it('searches with Mailpit terms, tags as IMAP keywords, marks read, deletes by search', async () => {
    const { store } = setup;
    await deliverToMany(
      store,
      ['alice@dev.test'],
      plainMessage('billing@shop.test', 'alice@dev.test', 'Invoice 7', 'amount due: 12 EUR'),
    );
    await deliverToMany(
      store,
      ['bob@dev.test'],
      plainMessage('friend@home.test', 'bob@dev.test', 'Lunch?', 'see you at noon'),
    );
    const search = async (query: string) => {
      const answer = await request(setup.port, 'GET', `/api/v1/search?query=${encodeURIComponent(query)}`);
      validate('/api/v1/search', 'get', 200, answer);
      return answer
        .json<{ messages: Array<{ ID: string; Subject: string }> }>()
        .messages.map((m) => m.Subject);
    };
    expect(await search('amount')).toEqual(['Invoice 7']);
    expect(await search('from:shop.test')).toEqual(['Invoice 7']);
    expect(await search('to:bob@')).toEqual(['Lunch?']);
    expect(await search('subject:"Invoice 7"')).toEqual(['Invoice 7']);
    expect(await search('-subject:invoice')).toEqual(['Lunch?']);
    expect(await search('is:unread')).toEqual(['Lunch?', 'Invoice 7']);
    validate('/api/v1/search', 'get', 400, await request(setup.port, 'GET', '/api/v1/search?query=is:maybe'));

    const [lunch, invoice] = (await request(setup.port, 'GET', '/api/v1/messages')).json<{
      messages: Array<{ ID: string }>;
    }>().messages;
    const put = await request(
      setup.port,
      'PUT',
      '/api/v1/tags',
      jsonHeaders,
      {},
      json({ IDs: [invoice!.ID], Tags: ['Needs review', 'paid'] }),
    );
    expect([put.status, put.text]).toEqual([200, 'ok']);
    validate('/api/v1/tags', 'get', 200, await request(setup.port, 'GET', '/api/v1/tags'));
    expect((await request(setup.port, 'GET', '/api/v1/tags')).json()).toEqual(['Needs_review', 'paid']);
    // The tag is an IMAP keyword on the stored copy.
    const alice = await store.getUser('alice@dev.test');
    const inbox = await store.getMailbox(alice!.id, 'INBOX');
    expect((await store.listMessages(inbox!.id))[0]!.flags).toEqual(['Needs_review', 'paid']);
    expect(await search('tag:paid')).toEqual(['Invoice 7']);

    await request(
      setup.port,
      'PUT',
      '/api/v1/messages',
      jsonHeaders,
      {},
      json({ IDs: [lunch!.ID], Read: true }),
    );
    expect(await search('is:read')).toEqual(['Lunch?']);
    const flagged = await store.listMessages(inbox!.id);
    expect(flagged[0]!.flags).toEqual(['Needs_review', 'paid']);

    const info = await request(setup.port, 'GET', '/api/v1/info');
    validate('/api/v1/info', 'get', 200, info);
    expect(info.json<{ Messages: number; Unread: number; Tags: Record<string, number> }>()).toMatchObject({
      Messages: 2,
      Unread: 1,
      Tags: { Needs_review: 1, paid: 1 },
    });
    validate('/api/v1/webui', 'get', 200, await request(setup.port, 'GET', '/api/v1/webui'));
    const recipients = await request(setup.port, 'GET', '/api/v1/recipients');
    validate('/api/v1/recipients', 'get', 200, recipients);
    expect(recipients.json<Array<{ Address: string }>>().map((r) => r.Address)).toEqual([
      'alice@dev.test',
      'bob@dev.test',
    ]);

    const removed = await request(
      setup.port,
      'DELETE',
      `/api/v1/search?query=${encodeURIComponent('from:friend')}`,
    );
    expect([removed.status, removed.text]).toEqual([200, 'ok']);
    expect(await search('')).toEqual(['Invoice 7']);
    const all = await request(setup.port, 'DELETE', '/api/v1/messages', jsonHeaders, {}, json({}));
    expect([all.status, all.text]).toEqual([200, 'ok']);
    expect(await search('')).toEqual([]);
  });

  it('renders the HTML view with scripts forbidden, links in a new tab, cid: images inline, remote images by choice', async () => {
    await deliverToMany(
      setup.store,
      ['alice@dev.test'],
      richMessage({ to: 'alice@dev.test', subject: 'View', link: 'http://127.0.0.1:9/x' }),
    );
    const view = await request(setup.port, 'GET', '/view/latest.html');
    expect(view.status).toBe(200);
    const csp = view.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain('img-src data:;');
    expect(view.text).toContain('<head><base target="_blank">');
    expect(view.text).toContain(`src="data:image/png;base64,${PNG_1X1.toString('base64')}"`);
    const remote = await request(setup.port, 'GET', '/view/latest.html?remote=1');
    expect(remote.headers['content-security-policy']).toContain('img-src data: http: https:');
    expect((await request(setup.port, 'GET', '/view/latest.txt')).text).toContain(
      'Please confirm: http://127.0.0.1:9/x',
    );
  });

  it('checks links on demand and HTML support from the caniemail data', async () => {
    const target: Server = createServer((req, res) => {
      res.statusCode = req.url === '/ok' ? 200 : 404;
      res.end();
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as AddressInfo).port;
    try {
      await deliverToMany(
        setup.store,
        ['alice@dev.test'],
        richMessage({
          to: 'alice@dev.test',
          subject: 'Links',
          link: `http://127.0.0.1:${port}/ok`,
          extraText: `gone: http://127.0.0.1:${port}/gone`,
        }),
      );
      const links = await request(setup.port, 'GET', '/api/v1/message/latest/link-check');
      validate('/api/v1/message/{ID}/link-check', 'get', 200, links);
      expect(links.json()).toEqual({
        Errors: 1,
        Links: [
          { URL: `http://127.0.0.1:${port}/ok`, StatusCode: 200, Status: 'OK' },
          { URL: `http://127.0.0.1:${port}/gone`, StatusCode: 404, Status: 'Not Found' },
        ],
      });
    } finally {
      await new Promise((resolve) => target.close(resolve));
    }
    const html = await request(setup.port, 'GET', '/api/v1/message/latest/html-check');
    validate('/api/v1/message/{ID}/html-check', 'get', 200, html);
    const result = html.json<{
      Total: { Clients: number };
      Warnings: Array<{
        Title: string;
        Score: { Partial: number };
        Results: Array<{ Name: string; Support: string }>;
      }>;
    }>();
    expect(result.Total.Clients).toBeGreaterThan(20);
    // caniemail.com: Gmail replaces <body> by a <div> (partial support).
    const body = result.Warnings.find((w) => w.Title === '<body> element');
    expect(body?.Results).toContainEqual(
      expect.objectContaining({ Name: 'gmail.desktop-webmail', Support: 'partial' }),
    );
  });

  it('long-polls until a matching message arrives (204 on timeout) and streams change events', async () => {
    const waiting = request(
      setup.port,
      'GET',
      `/api/v1/wait?query=${encodeURIComponent('subject:Reset')}&timeout=20`,
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    await deliverToMany(
      setup.otherStore(),
      ['dave@dev.test'],
      plainMessage('a@b.test', 'dave@dev.test', 'Other', 'x'),
    );
    await deliverToMany(
      setup.otherStore(),
      ['dave@dev.test'],
      plainMessage('a@b.test', 'dave@dev.test', 'Reset password', 'y'),
    );
    const answer = await waiting;
    validate('/api/v1/wait', 'get', 200, answer);
    expect(answer.json<{ messages: Array<{ Subject: string }> }>().messages.map((m) => m.Subject)).toEqual([
      'Reset password',
    ]);
    expect((await request(setup.port, 'GET', '/api/v1/wait?query=nothing-like-this&timeout=1')).status).toBe(
      204,
    );

    // The event stream: a `changed` event after a delivery.
    const events = await new Promise<string>((resolve, reject) => {
      import('node:http').then(({ get }) => {
        const req = get(
          { host: '127.0.0.1', port: setup.port, path: '/api/v1/events', agent: false },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => {
              text += chunk.toString();
              if (text.includes('event: changed')) {
                req.destroy();
                resolve(text);
              }
            });
            setTimeout(
              () =>
                void deliverToMany(
                  setup.store,
                  ['erin@dev.test'],
                  plainMessage('a@b.test', 'erin@dev.test', 'Hi', 'z'),
                ),
              100,
            );
          },
        );
        req.on('error', reject);
      }, reject);
    });
    expect(events).toContain('retry: 2000');
    expect(events, events).toMatch(/event: changed\ndata: \{"kind":"changed","mailboxes":\[[\d,]+\]\}/);
  });
});
