/**
 * SMTP ingest: 10 KB messages at 1, 20 and 100 concurrent sessions, a new connection per message
 * or reused connections, against minimail (durable: 250 only after the SQLite commit), minimail on
 * PostgreSQL where installed (250 only after COMMIT with synchronous_commit = on), a bare
 * smtp-server that discards (the library's own ceiling) and Postfix where installed (fsynced
 * queue files, then delivery into a Maildir in the background).
 *
 * Latency of one message: from connect (new connection) or MAIL FROM (reused) to the 250 after DATA.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onAbort } from './cleanup.js';
import { benchMessage } from './messages.js';
import { createMinimail, type ServerTarget } from './minimail-target.js';
import { startBenchPostgres } from './postgres.js';
import { postfixVersion, startPostfix } from './peers/postfix.js';
import { flushDirtyPages, startNodeChild, treeRssBytes } from './processes.js';
import type { BenchSettings } from './settings.js';
import { CONNECTIONS_PER_SOURCE_IP } from './settings.js';
import { SmtpClient } from './smtp-client.js';
import { medianBy, now, Samples } from './stats.js';
import { sourceAddress } from './wire.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Recipients the load spreads over (minimail makes each a mailbox on first delivery). */
const RECIPIENTS = 10;
/** Messages sent before measuring, so that first-delivery work (new mailboxes) is not counted. */
const WARMUP_MESSAGES = 20;
/** Longest wait for Postfix to deliver its queue before the next load, so loads do not overlap. */
const QUEUE_DRAIN_TIMEOUT_MS = 120_000;

export type SmtpMode = 'new connection' | 'reused';

/**
 * The load generators: the bench's own client (smtp-client.ts, one write per command and one for
 * the body) and Postfix's `smtp-source`, a client written in C by someone else that writes the
 * body in its own buffer-sized pieces (issue 20: a lead measured only with our own client is not
 * a lead). smtp-source comes with Debian's `postfix` package.
 */
export type SmtpLoadGenerator = 'bench client' | 'smtp-source';

/** Debian's path of Postfix's load generator. */
export const SMTP_SOURCE = '/usr/sbin/smtp-source';

export interface SmtpResult {
  target: string;
  /** Which client made the load (absent in older results: the bench's own). */
  generator?: SmtpLoadGenerator;
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

/**
 * Each load connects from its own block of loopback addresses (127.<block>.x.y). A load with a new
 * connection per message leaves ~8,000 client sockets in TIME_WAIT for 60 s; a next load from the
 * same addresses to the same port would spend its time in the kernel's search for a free port
 * (measured: minimail's second round of the 20-session cell fell from ~1,100 to ~500 msg/s, with
 * 21,000 sockets in TIME_WAIT), whichever server it measures.
 */
let nextAddressBlock = 1;

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
  const block = nextAddressBlock++;
  const worker = async (index: number): Promise<void> => {
    const local = sourceAddress(index, CONNECTIONS_PER_SOURCE_IP, block);
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
    generator: 'bench client',
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

/**
 * The same load from `smtp-source` (Postfix's test generator): `-s sessions`, `-l` the message
 * size, `-d` to reuse connections, `-c` to print a running count of completed DATA commands. It
 * stops after `maxMessages` or, killed, at the same deadline as the bench's own client; the count
 * it printed last is the number of messages accepted. It connects from 127.0.0.1 only, so the
 * server under test must allow that many connections from one address (the bench raises
 * minimail's per-address limit as Postfix's configuration turns its own off). smtp-source reports
 * no per-message latency; p50/p99 are NaN (printed "-").
 */
export async function smtpSourceLoad(
  port: number,
  sessions: number,
  mode: SmtpMode,
  settings: Pick<BenchSettings, 'messageBytes' | 'smtpSeconds' | 'smtpMaxMessages'>,
  maxMessages = settings.smtpMaxMessages,
): Promise<Omit<SmtpResult, 'target'>> {
  const args = [
    '-c',
    '-s',
    String(sessions),
    '-l',
    String(settings.messageBytes),
    '-m',
    String(maxMessages),
    '-f',
    'sender@load.test',
    '-t',
    'user0@bench.test',
    '-M',
    'load.test',
    ...(mode === 'reused' ? ['-d'] : []),
    `127.0.0.1:${port}`,
  ];
  const started = now();
  const child = spawn(SMTP_SOURCE, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.once(
    'exit',
    onAbort(() => child.kill('SIGKILL')),
  );
  let counter = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    // `-c` prints the count after each DATA, separated by carriage returns.
    counter = (counter + chunk.toString('latin1')).slice(-64);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2048);
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), settings.smtpSeconds * 1000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exit) => resolve(exit)));
  clearTimeout(timer);
  const seconds = (now() - started) / 1000;
  const counts = counter.split(/[\r\n]+/).filter((field) => /^\d+$/.test(field.trim()));
  const messages = Number(counts.at(-1) ?? 0);
  const killed = code === null;
  const failed = !killed && code !== 0;
  return {
    generator: 'smtp-source',
    sessions,
    mode,
    messages,
    errors: failed ? 1 : 0,
    seconds,
    perSecond: messages / seconds,
    p50: Number.NaN,
    p99: Number.NaN,
    firstError: failed ? `smtp-source exited ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}` : null,
  };
}

export function smtpSourceInstalled(): boolean {
  return existsSync(SMTP_SOURCE);
}

/** A server under load, and what must happen after each of its loads before the next one. */
interface LoadTarget {
  target: ServerTarget;
  afterEach: () => Promise<void>;
}

/**
 * Rounds of the cell the issue's target is judged on (20 sessions, a new connection each). This
 * machine's speed drifts by tens of percent within minutes (other tenants), so that cell runs
 * several times, alternating the servers, and each server's median round is reported.
 */
const TARGET_CELL = { sessions: 20, mode: 'new connection' } as const;
const TARGET_CELL_ROUNDS = 3;
/** minimail's per-address connection limit in the SMTP suite: smtp-source's 100 sessions, and room. */
const SMTP_SOURCE_PER_IP_LIMIT = 1_000;

function log(result: Omit<SmtpResult, 'target'>, name: string, round: string): void {
  const by = result.generator === 'smtp-source' ? ' [smtp-source]' : '';
  process.stdout.write(
    `  smtp ${name.padEnd(22)} ${String(result.sessions).padStart(3)} sessions ${result.mode.padEnd(14)}${by} ` +
      `${result.perSecond.toFixed(0).padStart(6)} msg/s  p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms` +
      `${round}${result.errors ? `  errors ${result.errors} (${result.firstError})` : ''}\n`,
  );
}

/**
 * Every cell runs against every server before the next cell starts, so the servers compared in a
 * cell are measured minutes apart at most, not a whole suite apart.
 */
async function runCells(targets: LoadTarget[], settings: BenchSettings): Promise<SmtpResult[]> {
  const results: SmtpResult[] = [];
  for (const { target, afterEach } of targets) {
    await smtpLoad(target.ports['smtp']!, 1, 'reused', settings, WARMUP_MESSAGES);
    await afterEach();
  }
  const generators: SmtpLoadGenerator[] = smtpSourceInstalled()
    ? ['bench client', 'smtp-source']
    : ['bench client'];
  for (const generator of generators)
    for (const sessions of settings.smtpSessions) {
      for (const mode of ['new connection', 'reused'] as const) {
        const isTargetCell = sessions === TARGET_CELL.sessions && mode === TARGET_CELL.mode;
        const rounds = isTargetCell && !settings.quick ? TARGET_CELL_ROUNDS : 1;
        const byTarget = targets.map(() => [] as Array<Omit<SmtpResult, 'target'>>);
        const load = generator === 'smtp-source' ? smtpSourceLoad : smtpLoad;
        for (let round = 0; round < rounds; round++) {
          for (const [index, { target, afterEach }] of targets.entries()) {
            flushDirtyPages();
            const result = await load(target.ports['smtp']!, sessions, mode, settings);
            byTarget[index]!.push(result);
            log(result, target.name, rounds > 1 ? `  (round ${round + 1} of ${rounds})` : '');
            await afterEach();
          }
        }
        targets.forEach(({ target }, index) => {
          results.push({ target: target.name, ...medianBy(byTarget[index]!, (run) => run.perSecond) });
        });
      }
    }
  return results;
}

export async function runSmtpSuite(
  settings: BenchSettings,
  cpuProfileDir: string | null,
): Promise<SmtpSuiteResult> {
  const notes: string[] = [];
  const stops: Array<() => Promise<void>> = [];
  try {
    const targets: LoadTarget[] = [];
    const minimail = createMinimail();
    stops.push(() => minimail.dispose());
    const ours = await minimail.start({
      service: 'smtp',
      // smtp-source connects from 127.0.0.1 only: as Postfix's configuration lifts its per-client
      // limit, minimail's is raised above the bench's 100 sessions (plus closing ones).
      maxConnectionsPerIp: SMTP_SOURCE_PER_IP_LIMIT,
      ...(cpuProfileDir ? { cpuProfileDir } : {}),
    });
    targets.push({ target: ours, afterEach: () => Promise.resolve() });

    // The same server on its PostgreSQL backend, in the same cells, beside SQLite (issue 13).
    const postgres = await startBenchPostgres(settings, notes);
    if (postgres !== null) {
      stops.push(() => postgres.stop());
      const onPostgres = createMinimail({ databaseUrl: await postgres.database() });
      stops.push(() => onPostgres.dispose());
      const target = await onPostgres.start({
        service: 'smtp',
        maxConnectionsPerIp: SMTP_SOURCE_PER_IP_LIMIT,
      });
      targets.push({ target, afterEach: () => Promise.resolve() });
    }

    const bare = await startNodeChild(path.join(HERE, 'bare-smtp-child.js'), {
      PATH: process.env['PATH'],
    });
    stops.push(() => bare.stop());
    targets.push({
      target: {
        name: 'smtp-server (discard)',
        ports: bare.ports,
        rss: () => treeRssBytes(bare.pid),
        stop: () => bare.stop(),
      },
      afterEach: () => Promise.resolve(),
    });

    if (postfixVersion() === null) {
      notes.push('Postfix: not installed (or not root): skipped. `apt-get install postfix` to compare.');
    } else {
      const postfix = await startPostfix();
      stops.push(() => postfix.stop());
      // Each load waits until Postfix has delivered its queue, so no load pays for the previous one.
      const drain = async (): Promise<void> => {
        const until = Date.now() + QUEUE_DRAIN_TIMEOUT_MS;
        while (!postfix.queueEmpty() && Date.now() < until) await sleep(250);
        if (!postfix.queueEmpty()) notes.push('Postfix queue did not drain between loads within 120 s');
      };
      targets.push({ target: postfix, afterEach: drain });
    }

    const results = await runCells(targets, settings);
    if (!smtpSourceInstalled()) {
      notes.push(
        'smtp-source: not installed: SMTP loads from our own client only. `apt-get install postfix`.',
      );
    } else {
      notes.push(
        "SMTP loads come from two clients: the bench's own, and Postfix's `smtp-source` " +
          '(-s sessions -l 10240, -d for reused connections; it reports no latency).',
      );
    }
    if (!settings.quick) {
      notes.push(
        `SMTP cell of ${TARGET_CELL.sessions} sessions, ${TARGET_CELL.mode}: each server's median of ` +
          `${TARGET_CELL_ROUNDS} rounds, the servers alternating; every other cell one round. Servers take turns cell by cell.`,
      );
    }
    notes.push(`minimail server RSS after the SMTP loads: ${(ours.rss() / 1024 / 1024).toFixed(0)} MiB`);
    return { results, notes };
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}
