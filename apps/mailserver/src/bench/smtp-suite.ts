/**
 * SMTP ingest: 10 KB messages at 1, 20 and 100 concurrent sessions, a new connection per message
 * or reused connections, against minimail (durable: 250 only after the SQLite commit), a bare
 * smtp-server that discards (the library's own ceiling) and Postfix where installed (fsynced
 * queue files, then delivery into a Maildir in the background).
 *
 * Latency of one message: from connect (new connection) or MAIL FROM (reused) to the 250 after DATA.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchMessage } from './messages.js';
import { createMinimail, type ServerTarget } from './minimail-target.js';
import { postfixVersion, startPostfix } from './peers/postfix.js';
import { startNodeChild, treeRssBytes } from './processes.js';
import type { BenchSettings } from './settings.js';
import { CONNECTIONS_PER_SOURCE_IP } from './settings.js';
import { SmtpClient } from './smtp-client.js';
import { now, Samples } from './stats.js';
import { sourceAddress } from './wire.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Recipients the load spreads over (minimail makes each a mailbox on first delivery). */
const RECIPIENTS = 10;
/** Messages sent before measuring, so that first-delivery work (new mailboxes) is not counted. */
const WARMUP_MESSAGES = 20;
/** Longest wait for Postfix to deliver its queue before the next load, so loads do not overlap. */
const QUEUE_DRAIN_TIMEOUT_MS = 120_000;

export type SmtpMode = 'new connection' | 'reused';

export interface SmtpResult {
  target: string;
  sessions: number;
  mode: SmtpMode;
  messages: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  firstError: string | null;
}

export interface SmtpSuiteResult {
  results: SmtpResult[];
  notes: string[];
}

/** Runs one load and returns what it measured. */
export async function smtpLoad(
  port: number,
  sessions: number,
  mode: SmtpMode,
  settings: Pick<BenchSettings, 'messageBytes' | 'smtpSeconds' | 'smtpMaxMessages'>,
  maxMessages = settings.smtpMaxMessages,
): Promise<Omit<SmtpResult, 'target'>> {
  const samples = new Samples();
  let sent = 0;
  let errors = 0;
  let firstError: string | null = null;
  const started = now();
  const deadline = started + settings.smtpSeconds * 1000;
  const more = (): boolean => sent < maxMessages && now() < deadline;
  const worker = async (index: number): Promise<void> => {
    const local = sourceAddress(index, CONNECTIONS_PER_SOURCE_IP);
    let client: SmtpClient | null = null;
    while (more()) {
      const number = sent++;
      const message = benchMessage(number, settings.messageBytes, `user${number % RECIPIENTS}@bench.test`);
      const t0 = now();
      try {
        client ??= await SmtpClient.open(port, local);
        await client.send('sender@load.test', `user${number % RECIPIENTS}@bench.test`, message);
        samples.add(now() - t0);
        if (mode === 'new connection') {
          client.quit();
          client = null;
        }
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
        client?.destroy();
        client = null;
      }
    }
    client?.quit();
  };
  await Promise.all(Array.from({ length: sessions }, (_, index) => worker(index)));
  const seconds = (now() - started) / 1000;
  return {
    sessions,
    mode,
    messages: samples.count,
    errors,
    seconds,
    perSecond: samples.count / seconds,
    p50: samples.percentile(50),
    p99: samples.percentile(99),
    firstError,
  };
}

async function runAgainst(
  target: ServerTarget,
  settings: BenchSettings,
  afterEach: () => Promise<void>,
): Promise<SmtpResult[]> {
  const results: SmtpResult[] = [];
  const port = target.ports['smtp']!;
  await smtpLoad(port, 1, 'reused', settings, WARMUP_MESSAGES);
  await afterEach();
  for (const sessions of settings.smtpSessions) {
    for (const mode of ['new connection', 'reused'] as const) {
      const result = await smtpLoad(port, sessions, mode, settings);
      results.push({ target: target.name, ...result });
      process.stdout.write(
        `  smtp ${target.name.padEnd(22)} ${String(sessions).padStart(3)} sessions ${mode.padEnd(14)} ` +
          `${result.perSecond.toFixed(0).padStart(6)} msg/s  p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms` +
          `${result.errors ? `  errors ${result.errors} (${result.firstError})` : ''}\n`,
      );
      await afterEach();
    }
  }
  return results;
}

export async function runSmtpSuite(
  settings: BenchSettings,
  cpuProfileDir: string | null,
): Promise<SmtpSuiteResult> {
  const notes: string[] = [];
  const results: SmtpResult[] = [];

  const minimail = createMinimail();
  try {
    const target = await minimail.start({ service: 'smtp', ...(cpuProfileDir ? { cpuProfileDir } : {}) });
    results.push(...(await runAgainst(target, settings, () => Promise.resolve())));
    notes.push(`minimail server RSS after the SMTP loads: ${(target.rss() / 1024 / 1024).toFixed(0)} MiB`);
  } finally {
    await minimail.dispose();
  }

  const bare = await startNodeChild(path.join(HERE, 'bare-smtp-child.js'), {
    PATH: process.env['PATH'],
  });
  try {
    results.push(
      ...(await runAgainst(
        {
          name: 'smtp-server (discard)',
          ports: bare.ports,
          rss: () => treeRssBytes(bare.pid),
          stop: () => bare.stop(),
        },
        settings,
        () => Promise.resolve(),
      )),
    );
  } finally {
    await bare.stop();
  }

  if (postfixVersion() === null) {
    notes.push('Postfix: not installed (or not root): skipped. `apt-get install postfix` to compare.');
  } else {
    const postfix = await startPostfix();
    try {
      // Each load waits until Postfix has delivered its queue, so no load pays for the previous one.
      const drain = async (): Promise<void> => {
        const until = Date.now() + QUEUE_DRAIN_TIMEOUT_MS;
        while (!postfix.queueEmpty() && Date.now() < until) await sleep(250);
        if (!postfix.queueEmpty()) notes.push('Postfix queue did not drain between loads within 120 s');
      };
      results.push(...(await runAgainst(postfix, settings, drain)));
    } finally {
      await postfix.stop();
    }
  }
  return { results, notes };
}
