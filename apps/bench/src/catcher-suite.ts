/**
 * The mail catcher's HTTP API over many stored messages (issue 14: "the list of 10,000 messages and
 * a search over 100,000 each answer in under 100 ms"). A real `minimail serve --services http` on a
 * SQLite store seeded beside it (50 recipients, one of ten words per message, so a word matches a
 * tenth of the bodies; "lorem" is in every one). Each round first makes one delivery from this
 * process (another SQLite connection: the server's per-state caches are then cold, as after any new
 * mail), then times each request once cold and `warm` times more. Timed from request to the last
 * byte of the answer over loopback HTTP; p50 and p99 by nearest rank. The same cells run again on
 * the PostgreSQL backend (a private cluster, `MINIMAIL_DATABASE_URL`), unless `--no-postgres`.
 */
import path from 'node:path';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { indexBody } from '@minimail/http/index-body';
import { parseMessage, serializeStructure } from '@minimail/mime';
import { openMailStore, openStore, type MailStore } from '@minimail/store';
import { minimailBin } from './paths.js';
import { startBenchPostgres } from './postgres.js';
import { freePort, startNodeChild, type ChildServer } from './processes.js';
import type { BenchSettings } from './settings.js';
import { now, Samples } from './stats.js';

/** Recipients of the seeded mail (the catcher's picker lists them). */
const RECIPIENTS = 50;
/** One of these per message, in turn: each matches a tenth of the bodies. */
const WORDS = [
  'invoice',
  'order',
  'shipping',
  'welcome',
  'password',
  'reset',
  'newsletter',
  'report',
  'alert',
  'meeting',
];
/** Messages per seeding transaction (deliverAll): one commit per batch. */
const SEED_BATCH = 1_000;
/** The list size the issue names for the list, and where the searches run. */
const LIST_MESSAGES = 10_000;

export interface CatcherCell {
  what: string;
  path: string;
  messages: number;
  /** messages_count of the answer (the true total). */
  matches: number;
  coldP50: number;
  coldP99: number;
  warmP50: number;
  warmP99: number;
}

export interface CatcherResult {
  messages: number;
  seedSeconds: number;
  cells: CatcherCell[];
}

function message(i: number): Buffer {
  const word = WORDS[i % WORDS.length]!;
  return Buffer.from(
    [
      `From: "Sender ${i % 97}" <sender${i % 97}@example.test>`,
      `To: user${i % RECIPIENTS}@dev.test`,
      `Subject: ${word} number ${i}`,
      `Message-ID: <m${i}@example.test>`,
      '',
      `Hello, this is ${word} message ${i}. Reference code ref-${i.toString(36)}-zz.`,
      'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.',
      '',
    ].join('\r\n'),
  );
}

const BASE_DATE = Date.parse('2026-01-01T00:00:00Z');

async function seed(store: MailStore, userIds: number[], from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += SEED_BATCH) {
    await store.deliverAll(
      Array.from({ length: Math.min(SEED_BATCH, to - i) }, (_, j) => ({
        raw: message(i + j),
        targets: [{ userId: userIds[(i + j) % RECIPIENTS]! }],
        internalDate: new Date(BASE_DATE + (i + j) * 1000),
      })),
    );
  }
}

function get(port: number, pathname: string): Promise<{ ms: number; count: number }> {
  const started = now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathname, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const ms = now() - started;
        if (res.statusCode !== 200) return reject(new Error(`${pathname}: HTTP ${res.statusCode}`));
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages_count: number };
        resolve({ ms, count: body.messages_count });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function measure(
  port: number,
  store: MailStore,
  userIds: number[],
  requests: ReadonlyArray<{ what: string; path: string }>,
  messages: number,
  rounds: number,
  warm: number,
  nextIndex: () => number,
): Promise<CatcherCell[]> {
  const cold = requests.map(() => new Samples());
  const hot = requests.map(() => new Samples());
  const matches = requests.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    // A new message in the INBOX of a recipient: the data changed, nothing the server cached holds.
    const index = nextIndex();
    await store.deliver({
      raw: message(index),
      targets: [{ userId: userIds[index % RECIPIENTS]! }],
      internalDate: new Date(BASE_DATE + index * 1000),
    });
    for (const [at, { path: pathname }] of requests.entries()) {
      const first = await get(port, pathname);
      cold[at]!.add(first.ms);
      matches[at] = first.count;
      for (let i = 0; i < warm; i++) hot[at]!.add((await get(port, pathname)).ms);
    }
  }
  return requests.map(({ what, path: pathname }, at) => {
    const cell = {
      what,
      path: pathname,
      messages,
      matches: matches[at]!,
      coldP50: cold[at]!.percentile(50),
      coldP99: cold[at]!.percentile(99),
      warmP50: hot[at]!.percentile(50),
      warmP99: hot[at]!.percentile(99),
    };
    process.stdout.write(
      `  catcher ${messages} ${what.padEnd(34)} ${String(cell.matches).padStart(6)} hits: cold p50 ${cell.coldP50.toFixed(1)} p99 ${cell.coldP99.toFixed(1)} ms, warm p50 ${cell.warmP50.toFixed(1)} p99 ${cell.warmP99.toFixed(1)} ms\n`,
    );
    return cell;
  });
}

export async function runCatcherSuite(
  settings: BenchSettings,
): Promise<{ result: CatcherResult; notes: string[] }> {
  const notes: string[] = [];
  const sqlite = await runOn(settings, null);
  const postgres = await startBenchPostgres(settings, notes);
  if (postgres === null) return { result: sqlite, notes };
  try {
    const onPostgres = await runOn(settings, await postgres.database());
    return {
      result: {
        ...sqlite,
        cells: [...sqlite.cells, ...onPostgres.cells],
      },
      notes: [...notes, `PostgreSQL catcher store seeded in ${onPostgres.seedSeconds.toFixed(0)} s.`],
    };
  } finally {
    await postgres.stop();
  }
}

/** The cells on one backend: SQLite in a temp data dir (`databaseUrl` null), or that database. */
async function runOn(settings: BenchSettings, databaseUrl: string | null): Promise<CatcherResult> {
  const total = settings.catcherMessages;
  const listSize = Math.min(LIST_MESSAGES, total);
  const rounds = settings.quick ? 3 : 10;
  const warm = settings.quick ? 3 : 10;
  const label = (what: string): string => (databaseUrl === null ? what : `PostgreSQL: ${what}`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'minimail-bench-catcher-'));
  const describeBody = (raw: Buffer): string => serializeStructure(parseMessage(raw));
  const store: MailStore =
    databaseUrl === null
      ? openStore({ path: path.join(dataDir, 'minimail.sqlite'), describeBody, indexBody })
      : await openMailStore({ kind: 'postgres', url: databaseUrl, describeBody, indexBody });
  let server: ChildServer | null = null;
  try {
    const users = await Promise.all(
      Array.from({ length: RECIPIENTS }, (_, u) => store.ensureUser(`user${u}@dev.test`)),
    );
    const userIds = users.map((user) => user.id);
    const t0 = now();
    await seed(store, userIds, 0, listSize);
    let seedMs = now() - t0;
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      MINIMAIL_DATA_DIR: dataDir,
      MINIMAIL_PROFILE: 'dev',
      MINIMAIL_BIND: '127.0.0.1',
      MINIMAIL_LOG_LEVEL: 'info',
      MINIMAIL_HTTP_PORT: String(port),
      // Keep every seeded message: the dev default retention (5,000) would delete them while measuring.
      MINIMAIL_MAX_MESSAGES: '0',
      ...(databaseUrl === null ? {} : { MINIMAIL_DATABASE_URL: databaseUrl }),
    };
    server = await startNodeChild(
      minimailBin(),
      env,
      [],
      120_000,
      ['serve', '--services', 'http'],
      (output) => (/minimail ready/.test(output) ? { http: port } : null),
    );
    let next = total;
    const nextIndex = (): number => next++;
    const cells = await measure(
      port,
      store,
      userIds,
      [{ what: label('list, first page'), path: '/api/v1/messages?limit=50' }],
      listSize,
      rounds,
      warm,
      nextIndex,
    );
    const t1 = now();
    await seed(store, userIds, listSize, total);
    seedMs += now() - t1;
    const q = (query: string): string => `/api/v1/search?limit=50&query=${encodeURIComponent(query)}`;
    cells.push(
      ...(await measure(
        port,
        store,
        userIds,
        [
          { what: label('list, first page'), path: '/api/v1/messages?limit=50' },
          { what: label('search, rare word (1 hit)'), path: q(`ref-${(total - 7).toString(36)}-zz`) },
          { what: label('search, common word (a tenth)'), path: q('newsletter') },
          { what: label('search, word in every message'), path: q('lorem') },
          { what: label('search, from: term'), path: q('from:sender5@') },
        ],
        total,
        rounds,
        warm,
        nextIndex,
      )),
    );
    return { messages: total, seedSeconds: seedMs / 1000, cells };
  } finally {
    await server?.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The catcher cell as a Markdown table (docs/benchmarks.md, "Catcher API (web)"). */
export function catcherSection(result: CatcherResult): string {
  const ms = (value: number): string => (Number.isNaN(value) ? '-' : value.toFixed(1));
  return [
    `${result.messages.toLocaleString('en')} messages stored (seeded in ${result.seedSeconds.toFixed(0)} s); cold = first request after a new delivery, warm = the same request again.`,
    '',
    '| messages | request | matches | cold p50 | cold p99 | warm p50 | warm p99 |',
    '|---|---|---|---|---|---|---|',
    ...result.cells.map(
      (c) =>
        `| ${c.messages.toLocaleString('en')} | ${c.what} | ${c.matches.toLocaleString('en')} | ${ms(c.coldP50)} ms | ${ms(c.coldP99)} ms | ${ms(c.warmP50)} ms | ${ms(c.warmP99)} ms |`,
    ),
  ].join('\n');
}
