/**
 * `npm run measure -w @minimail/http`: how long the catcher's list and search take with many
 * messages (issue 14: a list of 10,000 and a search over 100,000 each under 100 ms). Not a test
 * (timings never decide pass/fail here); it prints a table. Real SQLite file, real HTTP requests.
 */
import { performance } from 'node:perf_hooks';
import { it } from 'vitest';
import { request } from '../src/test-support/http-client.js';
import { startHttp } from '../src/test-support/setup.js';

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

function message(i: number): string {
  const word = WORDS[i % WORDS.length]!;
  return [
    `From: "Sender ${i % 97}" <sender${i % 97}@example.test>`,
    `To: user${i % 50}@dev.test`,
    `Subject: ${word} number ${i}`,
    `Message-ID: <m${i}@example.test>`,
    '',
    `Hello, this is ${word} message ${i}. Reference code ref-${i.toString(36)}-zz.`,
    'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.',
    '',
  ].join('\r\n');
}

async function fill(setup: Awaited<ReturnType<typeof startHttp>>, from: number, to: number): Promise<void> {
  const users = await Promise.all(
    Array.from({ length: 50 }, (_, u) => setup.store.ensureUser(`user${u}@dev.test`)),
  );
  const base = Date.parse('2026-01-01T00:00:00Z');
  for (let i = from; i < to; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, to - i) }, (_, j) =>
        setup.store.deliver({
          raw: Buffer.from(message(i + j)),
          targets: [{ userId: users[(i + j) % 50]!.id }],
          internalDate: new Date(base + (i + j) * 1000),
        }),
      ),
    );
  }
}

/**
 * The first request (nothing cached: the store caches a search's match and totals per state of the
 * data) and the median of `runs` more (paging the same search, polling it).
 */
async function time(
  port: number,
  path: string,
  runs = 7,
): Promise<{ first: number; median: number; count: number }> {
  const times: number[] = [];
  let count = 0;
  for (let r = 0; r <= runs; r++) {
    const started = performance.now();
    const answer = await request(port, 'GET', path);
    times.push(performance.now() - started);
    count = answer.json<{ messages_count: number }>().messages_count;
  }
  const first = times.shift()!;
  times.sort((a, b) => a - b);
  return { first, median: times[Math.floor(runs / 2)]!, count };
}

it('measures list and search', { timeout: 1_800_000 }, async () => {
  const setup = await startHttp('dev');
  const rows: string[] = [];
  const report = async (messages: number, label: string, path: string) => {
    const { first, median, count } = await time(setup.port, path);
    rows.push(
      `| ${messages.toLocaleString('en')} | ${label} | \`${path}\` | ${count} | ${first.toFixed(1)} ms | ${median.toFixed(1)} ms |`,
    );
  };
  try {
    let started = performance.now();
    await fill(setup, 0, 10_000);
    console.log(`stored 10,000 in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await report(10_000, 'list, first page', '/api/v1/messages?limit=50');
    await report(10_000, 'list, last page', '/api/v1/messages?start=9950&limit=50');
    await report(10_000, 'search, body text', '/api/v1/search?query=ref-7ps-zz');
    started = performance.now();
    await fill(setup, 10_000, 100_000);
    console.log(`stored 100,000 in ${((performance.now() - started) / 1000).toFixed(1)} s more`);
    await report(100_000, 'list, first page', '/api/v1/messages?limit=50');
    await report(100_000, 'search, body text (1 hit)', '/api/v1/search?query=ref-1ekf-zz');
    await report(100_000, 'search, word (10,000 hits)', '/api/v1/search?query=newsletter');
    await report(
      100_000,
      'search, from: + subject:',
      `/api/v1/search?query=${encodeURIComponent('from:sender5@ subject:invoice')}`,
    );
    await report(100_000, 'search, word, page 2', '/api/v1/search?query=newsletter&start=50&limit=50');
    await report(100_000, 'search, word in every message', '/api/v1/search?query=lorem');
    await report(
      100_000,
      'search, is:unread + word',
      `/api/v1/search?query=${encodeURIComponent('is:unread meeting')}`,
    );
    console.log(
      [
        '| messages | what | request | matches | first | median of 7 more |',
        '|---|---|---|---|---|---|',
        ...rows,
      ].join('\n'),
    );
  } finally {
    await setup.close();
  }
});
