/**
 * `npm run bench` (`-- --quick` for about a minute, `--only=smtp,imap,pop3,idle,big,catcher,stress` for some
 * suites, `--cpu-prof` to profile the minimail server, `--no-write` to leave the docs alone,
 * `--no-postgres` to leave out the PostgreSQL cells of the SMTP and IMAP suites, `--million` for the
 * big-mailbox suite on 1,000,000 messages, `--idle-50k` for 50,000 IDLE connections).
 * Loopback only, bounded in count and time; not part of `npm test`. Prints progress and a Markdown
 * summary, and writes the summary into docs/benchmarks.md between its result markers.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from './paths.js';
import { runBigMailboxSuite } from './big-mailbox-suite.js';
import { runCatcherSuite } from './catcher-suite.js';
import { installAbortHandlers, runAbortUndos } from './cleanup.js';
import { runIdleSuite } from './idle-suite.js';
import { runImapSuite } from './imap-suite.js';
import { dovecotVersion } from './peers/dovecot.js';
import { postfixVersion } from './peers/postfix.js';
import { runPop3Suite } from './pop3-suite.js';
import { renderResults, writeResults, type BenchResults } from './report.js';
import { parseSettings, wants } from './settings.js';
import { runSmtpSuite } from './smtp-suite.js';
import { runStressSuite } from './stress-suite.js';
import { now } from './stats.js';

async function main(): Promise<void> {
  installAbortHandlers();
  const settings = parseSettings(process.argv.slice(2));
  const started = now();
  const profileDir = settings.cpuProfile ? path.join(repositoryRoot(), 'data', 'bench-profiles') : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const results: BenchResults = {
    settings,
    startedAt: new Date(),
    seconds: 0,
    peers: { postfix: postfixVersion(), dovecot: dovecotVersion() },
    smtp: null,
    imap: null,
    pop3: null,
    idle: null,
    big: null,
    stress: null,
    notes: [],
  };
  process.stdout.write(
    `minimail bench (${settings.quick ? 'quick' : 'full'}); peers: ${results.peers.postfix ?? 'no Postfix'}, ${results.peers.dovecot ?? 'no Dovecot'}\n`,
  );
  const suite = async <T extends { notes: string[] }>(
    name: string,
    run: () => Promise<T>,
  ): Promise<T | null> => {
    if (!wants(settings, name)) return null;
    process.stdout.write(`\n== ${name}\n`);
    try {
      const out = await run();
      results.notes.push(...out.notes);
      return out;
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stdout.write(`  ${name} failed: ${message}\n`);
      results.notes.push(
        `${name}: failed: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`,
      );
      return null;
    }
  };
  results.smtp = (await suite('smtp', () => runSmtpSuite(settings, profileDir)))?.results ?? null;
  results.imap = (await suite('imap', () => runImapSuite(settings, profileDir)))?.results ?? null;
  results.pop3 = (await suite('pop3', () => runPop3Suite(settings, profileDir)))?.results ?? null;
  results.idle = (await suite('idle', () => runIdleSuite(settings)))?.result ?? null;
  results.big = (await suite('big', () => runBigMailboxSuite(settings, profileDir)))?.results ?? null;
  results.catcher = (await suite('catcher', () => runCatcherSuite(settings)))?.result ?? null;
  results.stress = (await suite('stress', () => runStressSuite(settings)))?.results ?? null;
  if (profileDir) results.notes.push(`CPU profiles of the minimail server: ${profileDir}`);
  results.seconds = (now() - started) / 1000;

  const markdown = renderResults(results);
  process.stdout.write(`\n${markdown}\n`);
  if (!process.argv.includes('--no-write')) {
    const doc = path.join(repositoryRoot(), 'docs', 'benchmarks.md');
    writeResults(doc, markdown);
    process.stdout.write(`\nwrote the results into ${doc}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  runAbortUndos();
  process.exit(1);
});
