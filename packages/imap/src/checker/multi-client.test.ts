/**
 * The multi-client consistency checker in the test suite (issue 12): 20 raw clients on one
 * INBOX, with deliveries and POP3-style deletes through the store, thousands of operations;
 * no violation of the RFC invariants, and every model equals the store at every checkpoint.
 *
 * On the code before issue 12 (main at b3ee887), with MINIMAIL_CHECKER_COLLECT=1, seed 20261124 and
 * 5,000 operations, it counted (each kind within the first 400 operations):
 * - 64 `FETCH names message 18 but the client knows 17`: FETCH before EXISTS (MailboxView.drain
 *   told flag changes of messages that arrived in the same drain before their EXISTS),
 * - 17 `MODSEQ of message 10 (UID 43) went back from 166 to 160`: another session's older change
 *   announced after the session's own STORE had told the newer one,
 * - 251 `keyword $Label1 in FETCH FLAGS was never announced by FLAGS` (and 2,498 times not in
 *   PERMANENTFLAGS): no FLAGS/PERMANENTFLAGS update before a new keyword,
 * - 12 `MOVE 3:4 INBOX answered NO`: MOVE into the selected mailbox refused.
 * QRESYNC (RFC 7162 3.2): every fourth client enables it; it must be told VANISHED, never EXPUNGE,
 * asks UID FETCH (CHANGEDSINCE n VANISHED), and now and then goes away with its cache and comes
 * back at the next checkpoint with SELECT/EXAMINE (QRESYNC ...), after which its cache must be
 * the store's mailbox exactly. Checked against broken servers (2,000 operations, collect mode):
 * VANISHED (EARLIER) left empty gave 5 `UID N is gone but VANISHED (EARLIER) did not say so`;
 * half the resync FETCHes left out gave 3 `UID N is (...) MODSEQ N, the store (...)`; EXPUNGE
 * sent instead of VANISHED gave 128 `EXPUNGE sent to a client that enabled QRESYNC`.
 * NOTIFY (RFC 5465): every third client sends NOTIFY SET STATUS (selected-delayed ...) (personal
 * ...) instead of IDLE; pushed responses must obey the same rules, STATUS never names the selected
 * mailbox, and the last STATUS of the other mailbox must be the store's count at each checkpoint.
 * Replay: MINIMAIL_CHECKER_SEED=<seed>; count all: MINIMAIL_CHECKER_COLLECT=1; print the
 * summary: MINIMAIL_CHECKER_REPORT=1.
 *
 * Long mode: MINIMAIL_CHECKER_OPS=100000 (and MINIMAIL_CHECKER_CLIENTS, MINIMAIL_CHECKER_SEED).
 */
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { FUZZ_SEED } from '@minimail/protocol/testing';
import { startHarness, type Harness } from '../test-support/harness.js';
import { runChecker, violationKinds } from './run-checker.js';

const OPERATIONS = Number(process.env['MINIMAIL_CHECKER_OPS'] ?? 5000);
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
      // Half the deliveries and deletes come from another connection to the file (another process).
      storePath: join(h.dir, 'minimail.sqlite'),
    });
    if (process.env['MINIMAIL_CHECKER_REPORT'] === '1')
      console.log(
        JSON.stringify({
          ...result,
          violations: violationKinds(result.violations),
          ms: Date.now() - started,
        }),
      );
    if (result.violations.length > 0) console.error(result.violations.slice(0, 5).join('\n\n'));
    expect(result.violations).toEqual([]);
    expect(result.operations).toBeGreaterThanOrEqual(OPERATIONS);
    // The other process did write (deliveries and deletes the server heard of by polling).
    expect(result.remoteWrites).toBeGreaterThan(0);
    // The RFC 5267 contexts were updated (and matched a fresh search at every checkpoint).
    expect(result.contextUpdates).toBeGreaterThan(0);
    // A third of the clients use RFC 5465 NOTIFY instead of IDLE and were told the other
    // mailbox's STATUS (checked against the store at every checkpoint).
    expect(result.statusNotifications).toBeGreaterThan(0);
    // Every kind of operation ran (the schedule is not stuck on a few).
    expect(Object.keys(result.counts).sort()).toEqual(
      [
        'append',
        'copy',
        'deliver',
        'expunge',
        'fetchBody',
        'fetchFlags',
        'fetchNew',
        'goOffline',
        'idle',
        'move',
        'noop',
        'pop3Delete',
        'reselect',
        'search',
        'store',
        'uidExpunge',
        'uidFetch',
        'uidFetchVanished',
        'uidStore',
      ].sort(),
    );
  },
  OPERATIONS > 10_000 ? 3_600_000 : 120_000,
);
