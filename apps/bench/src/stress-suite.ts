/**
 * Stress (issue 20): 50 clients at once, most of them on accounts of their own and a group on one
 * shared mailbox. The own-account clients repeat the IMAP workload's session (imap-suite.ts); the
 * shared-mailbox clients are the multi-client checker of issue 12 (@minimail/imap/checker): a
 * seeded random schedule of SELECT/EXAMINE, FETCH, STORE, APPEND, COPY, MOVE, EXPUNGE, IDLE, ...
 * with each client's model checked against every response and, at checkpoints, against the store.
 * Counted: commands per second (all clients), and the checker's violations (must be zero).
 *
 * Dovecot runs the same own-account clients. The checker needs minimail's store (its deliveries
 * and checkpoints go through it), so Dovecot's shared-mailbox group is left out and the commands
 * per second are compared on the own-account clients, which both servers serve side by side
 * with the same load.
 */
import path from 'node:path';
import { openStore } from '@minimail/store';
import { runChecker, violationKinds } from '@minimail/imap/checker';
import { benchMessage } from './messages.js';
import { createMinimail } from './minimail-target.js';
import { createDovecot, DOVECOT_PASSWORD, dovecotVersion } from './peers/dovecot.js';
import { MESSAGE_BYTES, userName, workload } from './imap-suite.js';
import type { BenchSettings } from './settings.js';
import { now } from './stats.js';

/** Clients in all (the issue's 50). */
export const STRESS_CLIENTS = 50;
/** Of them, the checker's clients on the one shared mailbox. */
export const SHARED_CLIENTS = 10;
/** The shared mailbox's account. */
const SHARED_USER = 'shared@bench.test';
/** Checker operations per client between two checkpoints. */
const ROUND_LENGTH = 20;

export interface StressTargetResult {
  target: string;
  clients: number;
  seconds: number;
  /** Commands per second of the own-account clients (the part both servers run). */
  ownAccountCommandsPerSecond: number;
  /** Commands per second of the shared-mailbox checker clients (minimail only). */
  sharedCommandsPerSecond: number | null;
  /** Violations the checker found (minimail only); must be 0. */
  violations: number | null;
  /** Kinds of violation with their counts, numbers blanked (empty when none). */
  violationKinds: Record<string, number>;
  errors: number;
  firstError: string | null;
}

export interface StressSuiteResult {
  results: StressTargetResult[];
  notes: string[];
}

export async function runStressSuite(settings: BenchSettings): Promise<StressSuiteResult> {
  const notes: string[] = [];
  const results: StressTargetResult[] = [];
  const own = STRESS_CLIENTS - SHARED_CLIENTS;
  const ownSettings: BenchSettings = { ...settings, imapClients: own };
  const seed = (index: number) => (i: number) => benchMessage(i, MESSAGE_BYTES, userName(index));

  const minimail = createMinimail();
  try {
    for (let c = 0; c < own; c++) await minimail.seed(userName(c), settings.imapMailboxSize, seed(c));
    const target = await minimail.start({ service: 'imap' });
    // The bench's own connection to the server's SQLite file: the checker delivers, deletes and
    // reads its checkpoints through it. To the server it is another process, as SMTP and POP3 are.
    const storePath = path.join(minimail.dataDir, 'minimail.sqlite');
    const store = openStore({ path: storePath });
    try {
      const started = now();
      const checkerOperations = settings.quick ? 2_000 : 10_000;
      const [load, checked] = await Promise.all([
        workload(target, ownSettings, 'any', settings.imapSeconds),
        runChecker({
          port: target.ports['imap']!,
          store,
          user: SHARED_USER,
          clients: SHARED_CLIENTS,
          operations: checkerOperations,
          roundLength: ROUND_LENGTH,
          seed: 20_261_205,
          collect: true,
          // Half the deliveries and deletes from yet another connection (another process).
          storePath,
        }),
      ]);
      const checkerSeconds = (now() - started) / 1000;
      const result: StressTargetResult = {
        target: target.name,
        clients: STRESS_CLIENTS,
        seconds: load.seconds,
        ownAccountCommandsPerSecond: load.opsPerSecond,
        sharedCommandsPerSecond: checked.operations / checkerSeconds,
        violations: checked.violations.length,
        violationKinds: violationKinds(checked.violations),
        errors: load.errors,
        firstError: load.firstError,
      };
      results.push(result);
      report(result);
      if (checked.violations.length > 0)
        process.stdout.write(`  first violation:\n${checked.violations[0]}\n`);
    } finally {
      await store.close();
    }
  } finally {
    await minimail.dispose();
  }

  if (dovecotVersion() === null) {
    notes.push('Dovecot: not installed (or not root): the stress cell has no peer.');
    return { results, notes };
  }
  const dovecot = createDovecot();
  try {
    for (let c = 0; c < own; c++) dovecot.seed(userName(c), settings.imapMailboxSize, seed(c));
    const target = await dovecot.start();
    await workload(target, ownSettings, DOVECOT_PASSWORD, 1); // warm-up: Dovecot's index files
    const load = await workload(target, ownSettings, DOVECOT_PASSWORD, settings.imapSeconds);
    const result: StressTargetResult = {
      target: target.name,
      clients: own,
      seconds: load.seconds,
      ownAccountCommandsPerSecond: load.opsPerSecond,
      sharedCommandsPerSecond: null,
      violations: null,
      violationKinds: {},
      errors: load.errors,
      firstError: load.firstError,
    };
    results.push(result);
    report(result);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stdout.write(`  stress Dovecot failed: ${message}\n`);
    notes.push(`Dovecot (stress): failed: ${message.split('\n')[0]}`);
  } finally {
    await dovecot.dispose();
  }
  return { results, notes };
}

function report(result: StressTargetResult): void {
  process.stdout.write(
    `  stress ${result.target.padEnd(22)} ${result.clients} clients: ${result.ownAccountCommandsPerSecond.toFixed(0)} commands/s on own accounts` +
      (result.sharedCommandsPerSecond === null
        ? ''
        : `, ${result.sharedCommandsPerSecond.toFixed(0)} checker operations/s on the shared mailbox, ${result.violations} violations`) +
      `${result.errors ? `, errors ${result.errors} (${result.firstError})` : ''}\n`,
  );
}
