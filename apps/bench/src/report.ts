/** The results as Markdown: printed at the end of a run and written into docs/benchmarks.md. */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import type { BigMailboxResult } from './big-mailbox-suite.js';
import { BIG_COMMANDS } from './big-mailbox-suite.js';
import { catcherSection, type CatcherResult } from './catcher-suite.js';
import type { IdleResult } from './idle-suite.js';
import type { ImapTargetResult } from './imap-suite.js';
import { IMAP_COMMANDS } from './imap-suite.js';
import type { Pop3Result } from './pop3-suite.js';
import type { BenchSettings } from './settings.js';
import { MINIMAIL, MINIMAIL_POSTGRES } from './minimail-target.js';
import type { SmtpResult } from './smtp-suite.js';
import type { StressTargetResult } from './stress-suite.js';
import { formatMs, formatRate, formatRatio, mib } from './stats.js';

export const RESULTS_BEGIN = '<!-- bench-results:begin -->';
export const RESULTS_END = '<!-- bench-results:end -->';

export interface BenchResults {
  settings: BenchSettings;
  startedAt: Date;
  seconds: number;
  peers: { postfix: string | null; dovecot: string | null };
  smtp: SmtpResult[] | null;
  imap: ImapTargetResult[] | null;
  pop3: Pop3Result[] | null;
  idle: IdleResult | null;
  big: BigMailboxResult[] | null;
  catcher?: CatcherResult | null;
  stress: StressTargetResult[] | null;
  notes: string[];
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Linux ${os.release()}`;
}

const table = (header: string[], rows: string[][]): string =>
  [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

function smtpSection(results: SmtpResult[]): string {
  const rows: string[][] = [];
  const generatorOf = (r: SmtpResult): string => r.generator ?? 'bench client';
  const combos = [...new Set(results.map((r) => `${r.sessions}|${r.mode}|${generatorOf(r)}`))];
  for (const combo of combos) {
    const [sessionsText, mode, generator] = combo.split('|') as [string, string, string];
    const sessions = Number(sessionsText);
    const find = (target: RegExp, s: number, m: string): SmtpResult | undefined =>
      results.find(
        (r) => target.test(r.target) && r.sessions === s && r.mode === m && generatorOf(r) === generator,
      );
    const ours = find(/^minimail$/, sessions, mode);
    const onPostgres = find(/^minimail on PostgreSQL$/, sessions, mode);
    const bare = find(/^smtp-server/, sessions, mode);
    const postfix = find(/^Postfix/, sessions, mode);
    rows.push([
      generator,
      String(sessions),
      mode,
      ours ? `${formatRate(ours.perSecond)}${ours.errors ? ` (${ours.errors} errors)` : ''}` : '-',
      ours ? `${formatMs(ours.p50)} / ${formatMs(ours.p99)}` : '-',
      onPostgres
        ? `${formatRate(onPostgres.perSecond)}${onPostgres.errors ? ` (${onPostgres.errors} errors)` : ''}`
        : '-',
      onPostgres ? `${formatMs(onPostgres.p50)} / ${formatMs(onPostgres.p99)}` : '-',
      ours && onPostgres ? formatRatio(onPostgres.perSecond, ours.perSecond) : '-',
      bare ? formatRate(bare.perSecond) : '-',
      bare ? `${formatMs(bare.p50)} / ${formatMs(bare.p99)}` : '-',
      postfix
        ? `${formatRate(postfix.perSecond)}${postfix.errors ? ` (${postfix.errors} errors)` : ''}`
        : '-',
      postfix ? `${formatMs(postfix.p50)} / ${formatMs(postfix.p99)}` : '-',
      ours && postfix ? formatRatio(ours.perSecond, postfix.perSecond) : '-',
    ]);
  }
  return table(
    [
      'client',
      'sessions',
      'connection',
      'minimail msg/s',
      'p50 / p99 ms',
      'on PostgreSQL msg/s',
      'p50 / p99 ms',
      'PostgreSQL / SQLite',
      'smtp-server discard msg/s',
      'p50 / p99 ms',
      'Postfix msg/s',
      'p50 / p99 ms',
      'minimail / Postfix',
    ],
    rows,
  );
}

function imapSection(results: ImapTargetResult[]): string {
  const ours = results.find((r) => r.target === MINIMAIL);
  const onPostgres = results.find((r) => r.target === MINIMAIL_POSTGRES);
  const peer = results.find((r) => r.target !== MINIMAIL && r.target !== MINIMAIL_POSTGRES);
  const rows = IMAP_COMMANDS.map((command) => {
    const a = ours?.commands.find((c) => c.command === command);
    const p = onPostgres?.commands.find((c) => c.command === command);
    const b = peer?.commands.find((c) => c.command === command);
    return [
      command,
      a ? formatRate(a.perSecond) : '-',
      a ? `${formatMs(a.p50)} / ${formatMs(a.p99)}` : '-',
      p ? formatRate(p.perSecond) : '-',
      p ? `${formatMs(p.p50)} / ${formatMs(p.p99)}` : '-',
      b ? formatRate(b.perSecond) : '-',
      b ? `${formatMs(b.p50)} / ${formatMs(b.p99)}` : '-',
      // Each session runs every command once, so per-command rates match; latency tells them apart
      // (issue 20: p99 as well as p50; above 1x minimail is the faster).
      a && b ? `${formatRatio(b.p50, a.p50)} / ${formatRatio(b.p99, a.p99)}` : '-',
    ];
  });
  rows.push([
    '**all commands**',
    ours ? `**${formatRate(ours.opsPerSecond)}**` : '-',
    '',
    onPostgres
      ? `**${formatRate(onPostgres.opsPerSecond)}**${ours ? ` (${formatRatio(onPostgres.opsPerSecond, ours.opsPerSecond)} of SQLite)` : ''}`
      : '-',
    '',
    peer ? `**${formatRate(peer.opsPerSecond)}**` : '-',
    '',
    ours && peer ? `**${formatRatio(ours.opsPerSecond, peer.opsPerSecond)}**` : '-',
  ]);
  const summary = results
    .map(
      (r) =>
        `${r.target}: ${r.clients} clients, ${r.sessions} complete sessions in ${r.seconds.toFixed(1)} s, ${r.errors} errors${r.firstError ? ` (first: ${r.firstError})` : ''}.`,
    )
    .join(' ');
  return `${table(['command', 'minimail ops/s', 'p50 / p99 ms', 'on PostgreSQL ops/s', 'p50 / p99 ms', `${peer?.target ?? 'Dovecot'} ops/s`, 'p50 / p99 ms', 'peer / minimail, p50 / p99 (total: ops/s ratio)'], rows)}\n\n${summary}`;
}

function pop3Section(results: Pop3Result[]): string {
  const clientOf = (r: Pop3Result): string => r.client ?? 'bench client';
  const rows = results.map((r) => [
    r.target,
    clientOf(r),
    String(r.messages),
    r.seconds.toFixed(2),
    formatRate(r.perSecond),
    r.mibPerSecond.toFixed(1),
  ]);
  const ratios = [...new Set(results.map(clientOf))].flatMap((client) => {
    const ours = results.find((r) => r.target === MINIMAIL && clientOf(r) === client);
    const peer = results.find((r) => r.target !== MINIMAIL && clientOf(r) === client);
    return ours && peer
      ? [`minimail / ${peer.target}, ${client}: ${formatRatio(ours.perSecond, peer.perSecond)}`]
      : [];
  });
  return (
    table(['server', 'client', 'messages', 'seconds', 'msg/s', 'MiB/s'], rows) +
    (ratios.length > 0 ? `\n\n${ratios.join('; ')}` : '')
  );
}

function bigSection(results: BigMailboxResult[]): string {
  const commands = BIG_COMMANDS.filter((c) => results.some((r) => r.medians[c] !== undefined));
  const rows = results.map((r) => [
    r.target,
    String(r.messages),
    formatMs(r.firstSelectMs),
    ...commands.map((c) => formatMs(r.medians[c] ?? Number.NaN)),
    mib(r.rssPerSession),
  ]);
  // Per command, minimail's time over the peer's of the same round (at most 1.00x is the target).
  const ratios: string[] = [];
  const ours = results.filter((r) => r.target === MINIMAIL);
  const peers = results.filter((r) => r.target !== MINIMAIL);
  if (ours.length > 0 && peers.length > 0) {
    const median = (values: number[]): number =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
    const time = (rs: BigMailboxResult[], c: (typeof BIG_COMMANDS)[number]): number =>
      median(rs.map((r) => r.medians[c] ?? Number.NaN).filter((v) => !Number.isNaN(v)));
    for (const c of commands) ratios.push(`${c}: ${formatRatio(time(ours, c), time(peers, c))}`);
  }
  return (
    table(
      [
        'server',
        'messages',
        'first SELECT ms',
        ...commands.map((c) => `${c} ms (median)`),
        'RSS per selecting session',
      ],
      rows,
    ) +
    (ratios.length > 0
      ? `\n\nminimail time / peer time (at most 1.00x is the target): ${ratios.join('; ')}`
      : '')
  );
}

function targets(results: BenchResults): string {
  const rows: string[][] = [];
  const smtp20 = (target: RegExp): SmtpResult | undefined =>
    results.smtp?.find(
      (r) =>
        target.test(r.target) &&
        r.sessions === 20 &&
        r.mode === 'new connection' &&
        (r.generator ?? 'bench client') === 'bench client',
    );
  const ours = smtp20(/^minimail$/);
  const postfix = smtp20(/^Postfix/);
  const verdict = (ok: boolean | null): string => (ok === null ? 'not measured' : ok ? 'met' : '**not met**');
  rows.push([
    'SMTP durable ingest, 20 sessions, new connection each: >= 2x Postfix',
    ours && postfix ? formatRatio(ours.perSecond, postfix.perSecond) : '-',
    verdict(ours && postfix ? ours.perSecond >= 2 * postfix.perSecond : null),
  ]);
  const imapOurs = results.imap?.find((r) => r.target === MINIMAIL);
  const imapPeer = results.imap?.find((r) => r.target !== MINIMAIL && r.target !== MINIMAIL_POSTGRES);
  rows.push([
    'IMAP workload throughput >= Dovecot',
    imapOurs && imapPeer ? formatRatio(imapOurs.opsPerSecond, imapPeer.opsPerSecond) : '-',
    verdict(imapOurs && imapPeer ? imapOurs.opsPerSecond >= imapPeer.opsPerSecond : null),
  ]);
  const popOurs = results.pop3?.find(
    (r) => r.target === MINIMAIL && (r.client ?? 'bench client') === 'bench client',
  );
  const popPeer = results.pop3?.find(
    (r) => r.target !== MINIMAIL && (r.client ?? 'bench client') === 'bench client',
  );
  rows.push([
    'POP3 download throughput >= Dovecot',
    popOurs && popPeer ? formatRatio(popOurs.perSecond, popPeer.perSecond) : '-',
    verdict(popOurs && popPeer ? popOurs.perSecond >= popPeer.perSecond : null),
  ]);
  const idle = results.idle;
  const idleFull = idle !== null && idle.connections >= 10_000;
  rows.push([
    '10,000 idle IMAP connections < 200 MB RSS',
    idle ? `${mib(idle.idleRss)} with ${idle.connections} connections` : '-',
    verdict(idle && idleFull ? idle.idleRss < 200 * 1000 * 1000 : null),
  ]);
  const big = results.big?.find((r) => r.target === 'minimail');
  const bigFull = big !== undefined && big.messages >= 100_000;
  rows.push([
    '100,000-message SELECT < 100 ms',
    big ? `${formatMs(big.medians['SELECT INBOX'] ?? Number.NaN)} ms median (${big.messages} messages)` : '-',
    verdict(big && bigFull ? (big.medians['SELECT INBOX'] ?? Infinity) < 100 : null),
  ]);
  // Issue 13: the PostgreSQL backend beside SQLite. No target: the ratio is what a deployment that
  // needs several nodes pays (or gains) per node.
  const ingestOnPostgres = smtp20(/^minimail on PostgreSQL$/);
  rows.push([
    'PostgreSQL backend / SQLite, SMTP 20 sessions, new connection each (no target)',
    ours && ingestOnPostgres ? formatRatio(ingestOnPostgres.perSecond, ours.perSecond) : '-',
    ours && ingestOnPostgres ? 'informational' : 'not measured',
  ]);
  const imapOnPostgres = results.imap?.find((r) => r.target === MINIMAIL_POSTGRES);
  rows.push([
    'PostgreSQL backend / SQLite, IMAP workload (no target)',
    imapOurs && imapOnPostgres ? formatRatio(imapOnPostgres.opsPerSecond, imapOurs.opsPerSecond) : '-',
    imapOurs && imapOnPostgres ? 'informational' : 'not measured',
  ]);
  return table(['target', 'measured', 'verdict'], rows);
}

/** Issue 20's stress cell: commands per second beside Dovecot's, and the checker's violations. */
function stressSection(results: StressTargetResult[]): string {
  const ours = results.find((r) => r.target === MINIMAIL);
  const peer = results.find((r) => r.target !== MINIMAIL && r.target !== MINIMAIL_POSTGRES);
  const rows = results.map((r) => [
    r.target,
    String(r.clients),
    formatRate(r.ownAccountCommandsPerSecond),
    r.sharedCommandsPerSecond === null ? '-' : formatRate(r.sharedCommandsPerSecond),
    r.violations === null ? '-' : String(r.violations),
    `${r.errors}${r.firstError ? ` (${r.firstError})` : ''}`,
  ]);
  const ratio =
    ours && peer
      ? `\n\nminimail / ${peer.target}, commands per second on own accounts: ${formatRatio(ours.ownAccountCommandsPerSecond, peer.ownAccountCommandsPerSecond)}.`
      : '';
  const kinds = Object.entries(ours?.violationKinds ?? {})
    .map(([kind, count]) => `\n- ${count} x ${kind}`)
    .join('');
  return `${table(['server', 'clients', 'own-account commands/s', 'shared-mailbox checker ops/s', 'violations', 'errors'], rows)}${ratio}${kinds}`;
}

export function renderResults(results: BenchResults): string {
  const s = results.settings;
  const parts: string[] = [];
  parts.push(
    `Run of ${results.startedAt.toISOString()} (${s.quick ? '**quick run**: smaller loads, shorter times; not for comparison' : 'full run'}), ` +
      `${results.seconds.toFixed(0)} s, commit ${gitCommit()}.\n\n` +
      `- Machine: ${machine()}\n- Node ${process.version}; peers: ${results.peers.postfix ?? 'Postfix absent'}, ${results.peers.dovecot ?? 'Dovecot absent'}\n` +
      `- Command: \`npm run bench${s.quick ? ' -- --quick' : ''}\``,
  );
  parts.push(`### Targets\n\n${targets(results)}`);
  if (results.smtp)
    parts.push(
      `### SMTP ingest, ${s.messageBytes / 1024} KB messages, ${s.smtpSeconds} s or ${s.smtpMaxMessages} messages per cell\n\n${smtpSection(results.smtp)}`,
    );
  if (results.imap)
    parts.push(
      `### IMAP workload, ${s.imapClients} clients, ${s.imapMailboxSize} messages each, ${s.imapSeconds} s\n\n${imapSection(results.imap)}`,
    );
  if (results.stress)
    parts.push(
      `### Stress: 50 clients, own accounts and one shared mailbox (multi-client checker)\n\n${stressSection(results.stress)}`,
    );
  if (results.pop3)
    parts.push(
      `### POP3 download of ${s.pop3Messages} messages of ${s.messageBytes / 1024} KB\n\n${pop3Section(results.pop3)}`,
    );
  if (results.idle) {
    const i = results.idle;
    parts.push(
      `### Idle IMAP connections\n\n` +
        table(
          [
            'connections in IDLE',
            'server RSS before',
            'server RSS with them',
            'per connection',
            'failed to open',
          ],
          [
            [
              String(i.connections),
              mib(i.baselineRss),
              mib(i.idleRss),
              `${(i.perConnection / 1024).toFixed(1)} KiB`,
              `${i.failed}${i.firstError ? ` (${i.firstError})` : ''}`,
            ],
          ],
        ),
    );
  }
  if (results.big) parts.push(`### Big mailbox\n\n${bigSection(results.big)}`);
  if (results.catcher) parts.push(`### Catcher API\n\n${catcherSection(results.catcher)}`);
  if (results.notes.length > 0)
    parts.push(`### Notes from this run\n\n${results.notes.map((n) => `- ${n}`).join('\n')}`);
  return parts.join('\n\n');
}

/** Replaces the text between the result markers of docs/benchmarks.md (appending them if absent). */
export function writeResults(docPath: string, markdown: string): void {
  const block = `${RESULTS_BEGIN}\n${markdown}\n${RESULTS_END}`;
  const current = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Benchmarks\n';
  const begin = current.indexOf(RESULTS_BEGIN);
  const end = current.indexOf(RESULTS_END);
  const next =
    begin >= 0 && end > begin
      ? current.slice(0, begin) + block + current.slice(end + RESULTS_END.length)
      : `${current.trimEnd()}\n\n## Results\n\n${block}\n`;
  writeFileSync(docPath, next);
}
