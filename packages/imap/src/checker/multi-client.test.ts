/**
 * The multi-client consistency checker in the test suite (issue 12): 20 raw clients on one
 * INBOX, with deliveries and POP3-style deletes through the store, thousands of operations;
 * no violation of the RFC invariants, and every model equals the store at every checkpoint.
 *
 * On the code before issue 12 it found, within the first rounds (seed 20261124):
 * - `FETCH names message 33 but the client knows 32` (FETCH before EXISTS, MailboxView.drain),
 * - `MODSEQ of message 7 (UID 9) went back from 41 to 40` (another session's older change merged
 *   after the session's own STORE),
 * - `keyword $New1 in FETCH FLAGS was never announced by FLAGS` (no FLAGS/PERMANENTFLAGS update).
 *
 * Long mode: MINIMAIL_CHECKER_OPS=100000 (and MINIMAIL_CHECKER_CLIENTS, MINIMAIL_CHECKER_SEED).
 */
import { afterEach, expect, it } from 'vitest';
import { FUZZ_SEED } from '@minimail/protocol/testing';
import { startHarness, type Harness } from '../test-support/harness.js';
import { runChecker, violationKinds } from './run-checker.js';

const OPERATIONS = Number(process.env['MINIMAIL_CHECKER_OPS'] ?? 3000);
const CLIENTS = Number(process.env['MINIMAIL_CHECKER_CLIENTS'] ?? 20);
const SEED = Number(process.env['MINIMAIL_CHECKER_SEED'] ?? FUZZ_SEED);

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

it(
  `${CLIENTS} clients share one mailbox for ${OPERATIONS} operations without a violation (seed ${SEED})`,
  async () => {
    h = await startHarness();
    const started = Date.now();
    const result = await runChecker({
      port: h.port,
      store: h.store,
      user: 'alice@example.com',
      clients: CLIENTS,
      operations: OPERATIONS,
      roundLength: 10,
      seed: SEED,
      collect: process.env['MINIMAIL_CHECKER_COLLECT'] === '1',
    });
    if (process.env['MINIMAIL_CHECKER_REPORT'] === '1')
      console.log(
        JSON.stringify({ ...result, violations: violationKinds(result.violations), ms: Date.now() - started }),
      );
    if (result.violations.length > 0) console.error(result.violations.slice(0, 5).join('\n\n'));
    expect(result.violations).toEqual([]);
    expect(result.operations).toBeGreaterThanOrEqual(OPERATIONS);
    // Every kind of operation ran (the schedule is not stuck on a few).
    expect(Object.keys(result.counts).sort()).toEqual(
      [
        'append', 'copy', 'deliver', 'expunge', 'fetchBody', 'fetchFlags', 'fetchNew', 'idle', 'move',
        'noop', 'pop3Delete', 'reselect', 'search', 'store', 'uidExpunge', 'uidFetch', 'uidStore',
      ].sort(),
    );
  },
  OPERATIONS > 10_000 ? 3_600_000 : 120_000,
);
