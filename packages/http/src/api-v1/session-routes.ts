import type { FastifyInstance } from 'fastify';
import { transcriptText, type RecordedProtocol, type Recordings } from '@minimail/protocol';
import type { Catcher } from '../catcher/catcher.js';
import { MAX_EVENT_STREAMS } from '../events.js';
import { EVENT_KEEPALIVE_MS } from '../event-stream.js';
import { ANNOTATIONS } from './annotations.js';
import { ERROR_RESPONSES, ID_PARAM } from './schemas.js';

const PROTOCOLS = ['smtp', 'submission', 'pop3', 'imap'] as const;

const sessionSummary = {
  $id: 'SessionSummary',
  type: 'object',
  description: 'minimail: one recorded SMTP, submission, POP3 or IMAP conversation (issue 16).',
  properties: {
    id: { type: 'string' },
    protocol: { type: 'string', enum: [...PROTOCOLS] },
    remoteIp: { type: 'string' },
    startedAt: { type: 'integer', description: 'ms since the epoch' },
    endedAt: { type: ['integer', 'null'], description: 'null while the session is open' },
    user: { type: ['string', 'null'], description: 'the login, or the first address the session used' },
    addresses: { type: 'array', items: { type: 'string' } },
    tls: { type: 'boolean', description: 'the conversation is (or went) inside TLS' },
    lineCount: { type: 'integer' },
    droppedLines: { type: 'integer' },
    bytes: { type: 'integer' },
  },
  required: [
    'id',
    'protocol',
    'remoteIp',
    'startedAt',
    'endedAt',
    'user',
    'addresses',
    'tls',
    'lineCount',
    'droppedLines',
    'bytes',
  ],
} as const;

const link = {
  $id: 'MessageLink',
  type: 'object',
  properties: {
    mailboxId: { type: 'integer' },
    uid: { type: 'integer' },
    action: {
      type: 'string',
      enum: [
        'delivered',
        'appended',
        'listed',
        'read',
        'flagged',
        'copied',
        'moved',
        'marked-deleted',
        'deleted',
      ],
    },
    line: { type: 'integer', description: 'index in the transcript of the line that did it' },
    to: {
      type: 'object',
      properties: { mailboxId: { type: 'integer' }, uid: { type: 'integer' } },
      required: ['mailboxId', 'uid'],
    },
  },
  required: ['mailboxId', 'uid', 'action', 'line'],
} as const;

const transcript = {
  $id: 'Transcript',
  type: 'object',
  description:
    'minimail: a session with its lines (credentials masked, bodies elided) and the messages it touched.',
  properties: {
    ...sessionSummary.properties,
    lines: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          at: { type: 'integer', description: 'ms since the epoch' },
          dir: { type: 'string', enum: ['C', 'S', '-'], description: 'client, server, or a note' },
          text: { type: 'string' },
        },
        required: ['at', 'dir', 'text'],
      },
    },
    links: { type: 'array', items: { $ref: 'MessageLink#' } },
  },
  required: [...sessionSummary.required, 'lines', 'links'],
} as const;

const journey = {
  $id: 'Journey',
  type: 'object',
  description: 'minimail: the sessions that delivered, read or changed a message, in the order they started.',
  properties: {
    ID: { type: 'string' },
    steps: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          session: { $ref: 'SessionSummary#' },
          links: { type: 'array', items: { $ref: 'MessageLink#' } },
        },
        required: ['session', 'links'],
      },
    },
  },
  required: ['ID', 'steps'],
} as const;

export const SESSION_SCHEMAS = [sessionSummary, link, transcript, journey] as const;

interface SessionsQuery {
  protocol?: RecordedProtocol;
  address?: string;
  ip?: string;
  limit?: number;
}

/**
 * minimail's recorded conversations (issue 16, docs/adr/0028): the sessions, one transcript (JSON
 * or text to download), the journey of a message, the annotation tables, and a live stream.
 * Without recordings (recording off) the lists are empty and `recording` says so. With a shared
 * store (docs/adr/0035) every process's sessions are listed, and the stream carries them all.
 */
export function registerSessionRoutes(
  app: FastifyInstance,
  deps: { book: Recordings | undefined; catcher: Catcher; closing: AbortSignal },
): void {
  const { book, catcher } = deps;
  /** Live session streams open now (each holds a socket). */
  let streams = 0;

  app.get<{ Querystring: SessionsQuery }>(
    '/api/v1/sessions',
    {
      schema: {
        summary: 'minimail: recorded protocol sessions, newest first',
        tags: ['minimail'],
        querystring: {
          type: 'object',
          properties: {
            protocol: { type: 'string', enum: [...PROTOCOLS] },
            address: { type: 'string', description: 'part of an address the session used' },
            ip: { type: 'string', description: "the client's IP address" },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              recording: {
                type: 'boolean',
                description: 'false: recording is off (MINIMAIL_RECORD_SESSIONS)',
              },
              total: { type: 'integer', description: 'sessions kept' },
              bytes: { type: 'integer', description: 'bytes the kept transcripts take' },
              dropped: { type: 'integer', description: 'sessions dropped to stay within the bounds' },
              limits: {
                type: 'object',
                properties: {
                  maxSessions: { type: 'integer' },
                  maxBytes: { type: 'integer' },
                  maxLinesPerSession: { type: 'integer' },
                },
              },
              sessions: { type: 'array', items: { $ref: 'SessionSummary#' } },
            },
            required: ['recording', 'total', 'bytes', 'dropped', 'sessions'],
          },
        },
      },
    },
    async (request) => {
      if (book === undefined) return { recording: false, total: 0, bytes: 0, dropped: 0, sessions: [] };
      const sessions = await book.sessions({
        protocol: request.query.protocol,
        address: request.query.address,
        remoteIp: request.query.ip,
        limit: request.query.limit,
      });
      const stats = await book.stats();
      return { recording: true, ...stats, limits: book.limits, sessions };
    },
  );

  const sessionParam = {
    type: 'object',
    properties: { id: { type: 'string' } },
    required: ['id'],
  } as const;

  app.get<{ Params: { id: string } }>(
    '/api/v1/sessions/:id',
    {
      schema: {
        summary: 'minimail: one session with its transcript',
        tags: ['minimail'],
        params: sessionParam,
        response: { 200: { $ref: 'Transcript#' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const record = (await book?.session(request.params.id)) ?? null;
      if (record === null) return reply.code(404).send({ error: 'session not found (or dropped)' });
      return record;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/sessions/:id/transcript.txt',
    {
      schema: {
        summary: 'minimail: one transcript as text, to download',
        tags: ['minimail'],
        params: sessionParam,
        produces: ['text/plain'],
      },
    },
    async (request, reply) => {
      const record = (await book?.session(request.params.id)) ?? null;
      if (record === null) return reply.code(404).send({ error: 'session not found (or dropped)' });
      return reply
        .type('text/plain; charset=utf-8')
        .header('content-disposition', `attachment; filename="minimail-${record.protocol}-${record.id}.txt"`)
        .send(transcriptText(record));
    },
  );

  app.get<{ Params: { ID: string } }>(
    '/api/v1/message/:ID/journey',
    {
      schema: {
        summary: 'minimail: the journey of a message, every session that delivered, read or changed it',
        tags: ['minimail'],
        params: ID_PARAM,
        response: { 200: { $ref: 'Journey#' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const group = await catcher.group(request.params.ID);
      const named = /^(\d{1,15})-(\d{1,15})$/.exec(request.params.ID);
      // A message already deleted (POP3 DELE then QUIT) still has its journey by the ID it had.
      const copies =
        group?.copies ?? (named === null ? [] : [{ mailboxId: Number(named[1]), uid: Number(named[2]) }]);
      if (copies.length === 0) return reply.code(404).send({ error: 'message not found' });
      const id = group === null ? request.params.ID : `${group.copies[0]!.mailboxId}-${group.copies[0]!.uid}`;
      return { ID: id, steps: (await book?.messageJourney(copies)) ?? [] };
    },
  );

  app.get(
    '/api/v1/annotations',
    {
      schema: {
        summary: 'minimail: what each command and reply code means, per protocol, with its RFC section',
        tags: ['minimail'],
      },
    },
    async () => ANNOTATIONS,
  );

  app.get(
    '/api/v1/sessions/events',
    {
      schema: {
        summary:
          'minimail: server-sent events, `session` when a session starts, changes or ends, `line` for each line',
        tags: ['minimail'],
        produces: ['text/event-stream'],
      },
    },
    (_request, reply) => {
      if (book === undefined) return reply.code(404).send({ error: 'recording is off' });
      if (streams >= MAX_EVENT_STREAMS) return reply.code(503).send({ error: 'too many event streams' });
      streams += 1;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        connection: 'keep-alive',
      });
      res.write('retry: 2000\n\n');
      const unsubscribe = book.subscribe((event) => {
        res.write(`event: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`);
      });
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), EVENT_KEEPALIVE_MS);
      const end = (): void => {
        clearInterval(keepalive);
        unsubscribe();
        deps.closing.removeEventListener('abort', end);
        streams -= 1;
        res.end();
      };
      res.once('close', end);
      deps.closing.addEventListener('abort', end, { once: true });
    },
  );
}
