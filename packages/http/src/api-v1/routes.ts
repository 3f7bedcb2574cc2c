import type { FastifyInstance, FastifyReply } from 'fastify';
import { StoreError, type CaughtGroup, type SearchTerm } from '@minimail/store';
import type { Catcher } from '../catcher/catcher.js';
import { messageParts } from '../catcher/mime-view.js';
import type { MailEvents } from '../events.js';
import { WAIT_DEFAULT_SECONDS, WAIT_MAX_SECONDS } from '../limits.js';
import { checkHtml, checkLinks, linksOf } from './checks.js';
import { htmlView, VIEW_CSP } from './html-view.js';
import {
  ERROR_RESPONSES,
  ID_PARAM,
  IDS_BODY,
  LIST_QUERY,
  OK_TEXT,
  READ_BODY,
  SEARCH_QUERY,
  TAGS_BODY,
} from './schemas.js';
import { parseQuery, QueryError, tagToKeyword } from './search-query.js';
import { messageOf, summaryOf } from './shapes.js';

export interface ApiV1Deps {
  catcher: Catcher;
  events: MailEvents;
  version: string;
  /** Aborted when the server closes: long polls answer at once. */
  closing: AbortSignal;
  /** What the link check asks the links with (tests give a fetch that stays on loopback). */
  fetcher?: typeof fetch | undefined;
  chaosEnabled: boolean;
}

interface ListQuery {
  start: number;
  limit: number;
  recipient?: string;
  mailbox?: number;
}
interface SearchQuery extends ListQuery {
  query: string;
}

const started = Date.now();

/**
 * /api/v1: Mailpit's v1 paths and shapes for what both have (list, search, message, headers, raw,
 * part, delete, read/unread, tags, info, webui, /view/{ID}.html|txt), and minimail's own beside
 * them: `wait` (long poll), `recipients` (the picker), `events` (server-sent events).
 */
export function registerApiV1(app: FastifyInstance, deps: ApiV1Deps): void {
  const { catcher } = deps;

  const terms = (query: string): SearchTerm[] => {
    try {
      return parseQuery(query);
    } catch (error) {
      if (error instanceof QueryError) throw new StoreError('INVALID', error.message);
      throw error;
    }
  };

  const list = async (q: ListQuery, query: string) => {
    const scope = await catcher.scope(q.recipient, q.mailbox);
    const [page, all, tags] = await Promise.all([
      catcher.search(terms(query), q.start, q.limit, scope),
      query === '' ? null : catcher.search([], 0, 0, scope),
      catcher.keywords(),
    ]);
    const messages = await Promise.all(page.groups.map(async (g) => summaryOf(g, await catcher.facts(g))));
    return {
      total: (all ?? page).total,
      unread: (all ?? page).unread,
      count: messages.length,
      messages_count: page.total,
      messages_unread: page.unread,
      start: q.start,
      tags,
      messages,
    };
  };

  const find = async (id: string, reply: FastifyReply): Promise<CaughtGroup | null> => {
    const group = await catcher.group(id);
    if (group === null) await reply.code(404).send({ error: 'message not found' });
    return group;
  };

  app.get<{ Querystring: ListQuery }>(
    '/api/v1/messages',
    {
      schema: {
        summary: 'List messages, newest first',
        tags: ['messages'],
        querystring: LIST_QUERY,
        response: { 200: { $ref: 'MessagesSummary#' }, ...ERROR_RESPONSES },
      },
    },
    (request) => list(request.query, ''),
  );

  app.put<{ Body: { IDs?: string[]; Read?: boolean; Search?: string } | null }>(
    '/api/v1/messages',
    {
      schema: {
        summary: 'Mark messages read or unread (IDs, or a Search, or all)',
        tags: ['messages'],
        body: READ_BODY,
        response: { 200: OK_TEXT, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const groups =
        body.IDs !== undefined && body.IDs.length > 0
          ? await catcher.groups(body.IDs)
          : await catcher.all(terms(body.Search ?? ''));
      await catcher.setRead(groups, body.Read ?? false);
      return reply.type('text/plain; charset=utf-8').send('ok');
    },
  );

  app.delete<{ Body: { IDs?: string[] } | null }>(
    '/api/v1/messages',
    {
      schema: {
        summary: 'Delete messages by ID, or all of them',
        tags: ['messages'],
        body: IDS_BODY,
        response: { 200: OK_TEXT, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const ids = request.body?.IDs ?? [];
      await catcher.delete(ids.length > 0 ? await catcher.groups(ids) : await catcher.all([]));
      return reply.type('text/plain; charset=utf-8').send('ok');
    },
  );

  app.get<{ Querystring: SearchQuery }>(
    '/api/v1/search',
    {
      schema: {
        summary: 'Search messages (Mailpit search syntax), newest first',
        tags: ['messages'],
        querystring: SEARCH_QUERY,
        response: { 200: { $ref: 'MessagesSummary#' }, ...ERROR_RESPONSES },
      },
    },
    (request) => list(request.query, request.query.query),
  );

  app.delete<{ Querystring: SearchQuery }>(
    '/api/v1/search',
    {
      schema: {
        summary: 'Delete every message matching a search',
        tags: ['messages'],
        querystring: SEARCH_QUERY,
        response: { 200: OK_TEXT, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const scope = await catcher.scope(request.query.recipient, request.query.mailbox);
      await catcher.delete(await catcher.all(terms(request.query.query), scope));
      return reply.type('text/plain; charset=utf-8').send('ok');
    },
  );

  app.get<{ Params: { ID: string } }>(
    '/api/v1/message/:ID',
    {
      schema: {
        summary: 'One message, and mark it read',
        tags: ['message'],
        params: ID_PARAM,
        response: { 200: { $ref: 'Message#' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const group = await find(request.params.ID, reply);
      if (group === null) return reply;
      await catcher.setRead([group], true);
      const fresh = (await catcher.group(request.params.ID)) ?? group;
      return messageOf(fresh, await catcher.facts(fresh), await catcher.readBody(fresh));
    },
  );

  app.get<{ Params: { ID: string } }>(
    '/api/v1/message/:ID/headers',
    {
      schema: {
        summary: 'The message header, field name to values (names sorted)',
        tags: ['message'],
        params: ID_PARAM,
        response: {
          200: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const group = await find(request.params.ID, reply);
      if (group === null) return reply;
      const { headerMap } = await import('../catcher/mime-view.js');
      return headerMap(await catcher.readBody(group));
    },
  );

  app.get<{ Params: { ID: string } }>(
    '/api/v1/message/:ID/raw',
    {
      schema: {
        summary: 'The message source, as stored',
        tags: ['message'],
        params: ID_PARAM,
        response: { 200: { type: 'string' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const group = await find(request.params.ID, reply);
      if (group === null) return reply;
      return reply.type('text/plain; charset=utf-8').send(await catcher.readBody(group));
    },
  );

  app.get<{ Params: { ID: string; PartID: string } }>(
    '/api/v1/message/:ID/part/:PartID',
    {
      schema: {
        summary: 'One MIME part (attachment or inline), decoded',
        tags: ['message'],
        params: {
          type: 'object',
          properties: { ID: { type: 'string' }, PartID: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)*$' } },
          required: ['ID', 'PartID'],
        },
        response: { 200: { type: 'string', format: 'binary' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const group = await find(request.params.ID, reply);
      if (group === null) return reply;
      const leaf = messageParts(await catcher.readBody(group)).leaves.find(
        (part) => part.partId === request.params.PartID,
      );
      if (leaf === undefined) return reply.code(404).send({ error: 'part not found' });
      const name = leaf.fileName === '' ? `part-${leaf.partId}` : leaf.fileName;
      // RFC 6266 4.3 + RFC 8187: a UTF-8 filename needs filename*; the plain one is the fallback.
      const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
      reply.header(
        'content-disposition',
        `${request.query && (request.query as { download?: string }).download ? 'attachment' : 'inline'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      );
      // A part is shown as its own type only if that cannot run script on our origin.
      reply.header(
        'content-security-policy',
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox",
      );
      return reply.type(leaf.contentType).send(leaf.bytes);
    },
  );

  app.get<{ Params: { ID: string } }>(
    '/view/:ID.html',
    {
      schema: {
        summary: 'The HTML part as a page: scripts never run, links open a new tab, cid: images inline',
        tags: ['view'],
        params: ID_PARAM,
        querystring: {
          type: 'object',
          properties: {
            remote: { type: 'integer', enum: [0, 1], description: 'minimail: 1 allows remote images' },
          },
        },
      },
    },
    async (request, reply) => {
      const group = await find(request.params.ID, reply);
      if (group === null) return reply;
      const raw = await catcher.readBody(group);
      const remote = (request.query as { remote?: number }).remote === 1;
      reply.header('content-security-policy', VIEW_CSP(remote));
      reply.header('x-frame-options', 'SAMEORIGIN');
      return reply.type('text/html; charset=utf-8').send(htmlView(messageParts(raw)));
    },
  );

  app.get<{ Params: { ID: string } }>(
    '/view/:ID.txt',
    { schema: { summary: 'The text part', tags: ['view'], params: ID_PARAM } },
    async (request, reply) => {
      const group = await find(request.params.ID, reply);
      if (group === null) return reply;
      return reply.type('text/plain; charset=utf-8').send(messageParts(await catcher.readBody(group)).text);
    },
  );

  app.get<{ Params: { ID: string }; Querystring: { follow?: boolean } }>(
    '/api/v1/message/:ID/link-check',
    {
      schema: {
        summary: 'Ask every link of the message for its status (on demand; reaches out)',
        tags: ['message'],
        params: ID_PARAM,
        querystring: { type: 'object', properties: { follow: { type: 'boolean', default: false } } },
        response: { 200: { $ref: 'LinkCheck#' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const group = await find(request.params.ID, reply);
      if (group === null) return reply;
      const parts = messageParts(await catcher.readBody(group));
      return checkLinks(linksOf(parts.html, parts.text), request.query.follow === true, deps.fetcher);
    },
  );

  app.get<{ Params: { ID: string } }>(
    '/api/v1/message/:ID/html-check',
    {
      schema: {
        summary: 'Which mail clients support the HTML and CSS used (caniemail.com data, offline)',
        tags: ['message'],
        params: ID_PARAM,
        response: { 200: { $ref: 'HTMLCheck#' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const group = await find(request.params.ID, reply);
      if (group === null) return reply;
      const parts = messageParts(await catcher.readBody(group));
      if (parts.html === '') return reply.code(404).send({ error: 'message has no HTML part' });
      return checkHtml(parts.html);
    },
  );

  app.get(
    '/api/v1/tags',
    {
      schema: {
        summary: 'Every tag in use (tags are IMAP keywords)',
        tags: ['tags'],
        response: { 200: { type: 'array', items: { type: 'string' } } },
      },
    },
    () => catcher.keywords(),
  );

  app.put<{ Body: { IDs: string[]; Tags?: string[] } }>(
    '/api/v1/tags',
    {
      schema: {
        summary: 'Replace the tags of messages',
        tags: ['tags'],
        body: TAGS_BODY,
        response: { 200: OK_TEXT, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const keywords = [...new Set((request.body.Tags ?? []).map(tagToKeyword).filter((tag) => tag !== ''))];
      await catcher.setTags(await catcher.groups(request.body.IDs), keywords);
      return reply.type('text/plain; charset=utf-8').send('ok');
    },
  );

  const renameTag = async (from: string, to: string | null): Promise<void> => {
    const groups = await catcher.all([{ kind: 'tag', value: tagToKeyword(from), negate: false }]);
    for (const group of groups) {
      const current = [...new Set(group.copies.flatMap((c) => c.flags.filter((f) => !f.startsWith('\\'))))];
      const next = current.filter((flag) => flag.toLowerCase() !== tagToKeyword(from).toLowerCase());
      if (to !== null && to !== '') next.push(tagToKeyword(to));
      await catcher.setTags([group], next);
    }
  };

  app.put<{ Params: { Tag: string }; Body: { Name: string } }>(
    '/api/v1/tags/:Tag',
    {
      schema: {
        summary: 'Rename a tag',
        tags: ['tags'],
        params: { type: 'object', properties: { Tag: { type: 'string' } }, required: ['Tag'] },
        body: { type: 'object', properties: { Name: { type: 'string', minLength: 1 } }, required: ['Name'] },
        response: { 200: OK_TEXT, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await renameTag(request.params.Tag, request.body.Name);
      return reply.type('text/plain; charset=utf-8').send('ok');
    },
  );

  app.delete<{ Params: { Tag: string } }>(
    '/api/v1/tags/:Tag',
    {
      schema: {
        summary: 'Remove a tag from every message',
        tags: ['tags'],
        params: { type: 'object', properties: { Tag: { type: 'string' } }, required: ['Tag'] },
        response: { 200: OK_TEXT, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await renameTag(request.params.Tag, null);
      return reply.type('text/plain; charset=utf-8').send('ok');
    },
  );

  app.get(
    '/api/v1/info',
    {
      schema: {
        summary: 'Totals and version',
        tags: ['application'],
        response: { 200: { $ref: 'AppInformation#' } },
      },
    },
    async () => {
      const page = await catcher.search([], 0, 0);
      const tags: Record<string, number> = {};
      for (const tag of await catcher.keywords()) {
        tags[tag] = (await catcher.search([{ kind: 'tag', value: tag, negate: false }], 0, 0)).total;
      }
      return {
        Version: deps.version,
        LatestVersion: deps.version,
        Database: 'minimail store',
        DatabaseSize: 0,
        Messages: page.total,
        Unread: page.unread,
        Tags: tags,
        RuntimeStats: { Uptime: Math.floor((Date.now() - started) / 1000) },
      };
    },
  );

  app.get(
    '/api/v1/webui',
    {
      schema: {
        summary: 'Web UI configuration',
        tags: ['application'],
        response: { 200: { $ref: 'WebUIConfiguration#' } },
      },
    },
    () => ({
      Label: 'minimail',
      MessageRelay: { Enabled: false, SMTPServer: '' },
      SpamAssassin: false,
      ChaosEnabled: deps.chaosEnabled,
      DuplicatesIgnored: false,
      HideDeleteAllButton: false,
    }),
  );

  app.get(
    '/api/v1/recipients',
    {
      schema: {
        summary: 'minimail: every recipient address with its mailboxes (for the picker)',
        tags: ['minimail'],
        response: { 200: { $ref: 'Recipients#' } },
      },
    },
    async () =>
      (await catcher.mailboxes()).map((user) => ({
        Address: user.address,
        Mailboxes: user.mailboxes.map((m) => ({
          ID: m.id,
          Name: m.name,
          Messages: m.messages,
          Unread: m.unread,
        })),
      })),
  );

  app.get<{ Querystring: SearchQuery & { timeout: number; since?: string } }>(
    '/api/v1/wait',
    {
      schema: {
        summary: 'minimail: long poll until a message matching the search arrives',
        description:
          'Answers 200 with the matching messages received at or after `since` (default: the request time) as soon as there is one, 204 when `timeout` seconds pass first.',
        tags: ['minimail'],
        querystring: {
          type: 'object',
          properties: {
            ...SEARCH_QUERY.properties,
            query: { type: 'string', default: '' },
            timeout: {
              type: 'integer',
              minimum: 0,
              maximum: WAIT_MAX_SECONDS,
              default: WAIT_DEFAULT_SECONDS,
            },
            since: { type: 'string', format: 'date-time' },
          },
        },
        response: { 200: { $ref: 'MessagesSummary#' }, 204: { type: 'null' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const since = request.query.since === undefined ? new Date() : new Date(request.query.since);
      const sinceText = since.toISOString();
      const query = `${request.query.query ?? ''} after:${sinceText}`;
      const check = async () => {
        const answer = await list({ ...request.query }, query);
        return answer.messages_count > 0 ? answer : null;
      };
      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      const signal = AbortSignal.any([
        gone.signal,
        deps.closing,
        AbortSignal.timeout(request.query.timeout * 1000),
      ]);
      let wake = (): void => {};
      const unsubscribe = deps.events.subscribe(() => wake());
      try {
        for (;;) {
          const changed = new Promise<void>((resolve) => {
            wake = resolve;
            signal.addEventListener('abort', () => resolve(), { once: true });
          });
          const found = await check();
          if (found !== null) return found;
          if (signal.aborted) return reply.code(204).send();
          await changed;
          if (signal.aborted) {
            const last = await check();
            return last ?? reply.code(204).send();
          }
        }
      } finally {
        unsubscribe();
      }
    },
  );
}
