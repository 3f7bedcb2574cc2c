/**
 * The multi-client consistency checker (issue 12): N raw clients on one mailbox run a seeded
 * random schedule in rounds; between rounds every client runs NOOP and its model must equal the
 * store (count, UIDs by sequence number, every flag list and MODSEQ it was told). A violation
 * stops the run and is reported with the seed and the transcript tail.
 */
import type { MailStore } from '@minimail/store';
import { prng } from '@minimail/protocol/testing';
import { CheckerClient, type RecentRegistry } from './checker-client.js';
import { Violation } from './mailbox-model.js';
import { comeBack, runOperation, type World } from './operations.js';
import { OtherProcess } from './other-process.js';
import { Transcript } from './transcript.js';

export interface CheckerOptions {
  port: number;
  store: MailStore;
  user: string;
  clients: number;
  /** Operations in all (spread over the clients). */
  operations: number;
  /** Operations per client between two checkpoints. */
  roundLength: number;
  seed: number;
  /** Stop at the first violation (default) or count them all (to show how often old code breaks). */
  collect?: boolean;
  /**
   * The store's SQLite file: when given, half the deliveries and POP3-style deletes come from
   * another connection to it (a worker thread, what another process is to SQLite).
   */
  storePath?: string;
}

export interface CheckerResult {
  operations: number;
  checkpoints: number;
  /** Violations (only the first unless `collect`), each with the seed and transcript tail. */
  violations: string[];
  /** How many times each operation ran. */
  counts: Record<string, number>;
  /** Deliveries and deletes committed by the other connection (other process). */
  remoteWrites: number;
  /** RFC 5267 ADDTO/REMOVEFROM pairs the context-keeping clients applied. */
  contextUpdates: number;
  /** RFC 5465 STATUS notifications the NOTIFY clients received. */
  statusNotifications: number;
}

export async function runChecker(options: CheckerOptions): Promise<CheckerResult> {
  const { store } = options;
  const user = await store.ensureUser(options.user);
  const inbox = await store.getMailbox(user.id, 'INBOX');
  if (inbox === null) throw new Error('the checker user has no INBOX');
  if ((await store.getMailbox(user.id, 'Other')) === null) await store.createMailbox(user.id, 'Other');
  const world: World = {
    store,
    user: options.user,
    userId: user.id,
    inboxId: inbox.id,
    mailbox: 'INBOX',
    other: 'Other',
    targetSize: 30,
    freshKeywords: { next: 1 },
    remote: options.storePath === undefined ? null : await OtherProcess.start(options.storePath),
  };
  for (let i = 0; i < world.targetSize; i += 1)
    await store.deliver({
      raw: Buffer.from(`Subject: seed ${i}\r\n\r\nseed\r\n`),
      targets: [{ userId: user.id, mailbox: 'INBOX' }],
    });
  const transcript = new Transcript();
  const recent: RecentRegistry = new Map();
  const clients: CheckerClient[] = [];
  const randoms: Array<() => number> = [];
  const result: CheckerResult = {
    operations: 0,
    checkpoints: 0,
    violations: [],
    counts: {},
    remoteWrites: 0,
    contextUpdates: 0,
    statusNotifications: 0,
  };
  const report = (error: unknown, failing: number | null): void => {
    if (!(error instanceof Violation)) throw error;
    const client = failing ?? error.client;
    const lines = [
      `VIOLATION (seed ${options.seed}, client ${client ?? '-'}, after ${result.operations} operations): ${error.message}`,
      `  replay: MINIMAIL_CHECKER_SEED=${options.seed}`,
      '  transcript tail (client, C: client / S: server):',
      ...transcript.tail(client === null ? 60 : 40, client ?? undefined).map((line) => `    ${line}`),
    ];
    if (client !== null)
      lines.push('  all clients, last lines:', ...transcript.tail(30).map((l) => `    ${l}`));
    result.violations.push(lines.join('\n'));
  };
  try {
    for (let id = 1; id <= options.clients; id += 1) {
      const client = new CheckerClient(id, options.port, transcript, recent);
      // A third use RFC 5465 NOTIFY rather than IDLE (and hear the other mailbox's STATUS).
      client.notify = id % 3 === 2;
      clients.push(client);
      randoms.push(prng(options.seed * 1000 + id));
      await client.connect(options.user);
      // A quarter enable QRESYNC (RFC 7162 3.2: VANISHED, resync after time away), another quarter
      // CONDSTORE (3.1); others may become CONDSTORE-aware later by an enabling command.
      if (id % 4 === 0) {
        client.qresync = true;
        client.condstore = true;
        await client.expectOk('ENABLE QRESYNC');
      } else if (id % 2 === 0) {
        client.condstore = true;
        await client.expectOk('ENABLE CONDSTORE');
      }
      // A third of the clients keep RFC 5267 updating contexts (UID SEARCH and UID SORT), and
      // some NOTIFY clients too (their ADDTO/REMOVEFROM then also come between commands).
      client.watchContexts = id % 3 === 1 || id % 9 === 5;
      await client.open('INBOX', id % 5 === 0);
    }
    const perRound = options.roundLength * options.clients;
    while (result.operations < options.operations) {
      const failures: Array<{ error: unknown; client: number }> = [];
      await Promise.all(
        clients.map(async (client, index) => {
          const random = randoms[index] as () => number;
          for (let n = 0; n < options.roundLength; n += 1) {
            if (failures.length > 0 && !options.collect) return;
            // Away until the next checkpoint.
            if (client.offline !== null) return;
            try {
              const name = await runOperation(client, random, world);
              result.counts[name] = (result.counts[name] ?? 0) + 1;
            } catch (error) {
              failures.push({ error, client: client.id });
              if (!options.collect) return;
              // After a violation the client's model is no longer trusted: start it afresh.
              await reopen(client).catch(() => undefined);
            }
          }
        }),
      );
      result.operations += perRound;
      for (const { error, client } of failures) report(error, client);
      if (failures.length > 0 && !options.collect) break;
      try {
        // The clients that went away come back while nothing else happens, and resync.
        for (const [index, client] of clients.entries())
          if (client.offline !== null) await comeBack(client, randoms[index] as () => number, world);
        await settledCheckpoint(clients, world);
      } catch (error) {
        report(error, null);
        if (!options.collect) break;
        for (const client of clients) await reopen(client);
      }
      result.checkpoints += 1;
    }
  } finally {
    for (const client of clients) await client.close();
    result.remoteWrites = world.remote?.writes ?? 0;
    result.contextUpdates = clients.reduce((sum, client) => sum + client.contextUpdates, 0);
    result.statusNotifications = clients.reduce((sum, client) => sum + client.statusNotifications, 0);
    await world.remote?.close();
  }
  return result;
}

/**
 * Another process's commits reach this one through the change feed's poll, so right after the
 * round a NOOP may not have heard of them yet: the checkpoint is retried (NOOP again) until the
 * models match or CROSS_PROCESS_SETTLE_MS has passed. Without another process it runs once.
 */
const CROSS_PROCESS_SETTLE_MS = 10_000;

async function settledCheckpoint(clients: CheckerClient[], world: World): Promise<void> {
  const deadline = Date.now() + CROSS_PROCESS_SETTLE_MS;
  for (;;) {
    try {
      await checkpoint(clients, world);
      return;
    } catch (error) {
      if (!(error instanceof Violation) || world.remote === null || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function reopen(client: CheckerClient): Promise<void> {
  await client.open('INBOX', client.model?.readOnly ?? false);
}

/**
 * Everyone quiet, then NOOP: every client has been told everything (RFC 3501 6.1.2), so its
 * model must be the store's mailbox, message by message.
 */
async function checkpoint(clients: CheckerClient[], world: World): Promise<void> {
  await Promise.all(clients.map((client) => client.expectOk('NOOP')));
  const store = await world.store.listMessageFlags(world.inboxId);
  await checkContexts(clients, world);
  await checkNotified(clients, world);
  for (const client of clients) {
    const model = client.model;
    if (model === null)
      throw new Violation(`client ${client.id} has no mailbox at the checkpoint`, client.id);
    const where = `checkpoint, client ${client.id}`;
    const fail = (message: string): Violation => new Violation(message, client.id);
    if (model.count !== store.uids.length)
      throw fail(`${where}: knows ${model.count} messages, the store has ${store.uids.length}`);
    model.messages.forEach((message, index) => {
      const uid = store.uids[index] as number;
      if (message.uid !== null && message.uid !== uid)
        throw fail(`${where}: message ${index + 1} is UID ${message.uid}, the store says ${uid}`);
      const flags = [...(store.flags[index] ?? [])].sort().join(' ');
      if (message.flags !== null && [...message.flags].sort().join(' ') !== flags)
        throw fail(
          `${where}: UID ${uid} has flags (${[...message.flags].sort().join(' ')}), the store (${flags})`,
        );
      const modseq = store.modseqs[index] as number;
      if (message.modseq !== null && message.modseq !== modseq)
        throw fail(`${where}: UID ${uid} has MODSEQ ${message.modseq}, the store ${modseq}`);
      for (const flag of message.flags ?? [])
        if (!flag.startsWith('\\') && !model.flagList.has(flag))
          throw fail(`${where}: keyword ${flag} on UID ${uid} is not in its FLAGS`);
    });
  }
}

/**
 * RFC 5267 4.3: after the NOOP every context a client kept from ADDTO/REMOVEFROM must be the
 * search run afresh on the store: the \Flagged UIDs, ascending (SEARCH) or by REVERSE ARRIVAL with
 * ties in mailbox order (SORT, RFC 5256 3).
 */
async function checkContexts(clients: CheckerClient[], world: World): Promise<void> {
  if (!clients.some((client) => client.contexts.size > 0)) return;
  const messages = (await world.store.listMessages(world.inboxId)).filter((message) =>
    message.flags.includes('\\Flagged'),
  );
  const ascending = messages.map((message) => message.uid);
  const byArrival = [...messages]
    .sort((a, b) => b.internalDate.getTime() - a.internalDate.getTime() || a.uid - b.uid)
    .map((message) => message.uid);
  for (const client of clients)
    for (const [tag, context] of client.contexts) {
      const expected = (context.sorted ? byArrival : ascending).join(',');
      if (context.uids.join(',') !== expected)
        throw new Violation(
          `checkpoint, client ${client.id}: context ${tag} holds (${context.uids.join(',')}), a fresh ${
            context.sorted ? 'SORT' : 'SEARCH'
          } finds (${expected})`,
          client.id,
        );
    }
}

/**
 * RFC 5465 5.2 / 5.3: a NOTIFY client was told of every change to the other mailbox: the
 * MESSAGES of the last STATUS it heard is the store's count.
 */
async function checkNotified(clients: CheckerClient[], world: World): Promise<void> {
  if (!clients.some((client) => client.notify)) return;
  const other = await world.store.getMailbox(world.userId, world.other);
  if (other === null) return;
  const { messages } = await world.store.mailboxStatus(other.id);
  for (const client of clients) {
    if (!client.notify) continue;
    const told = client.toldMessages.get(world.other);
    if (told !== messages)
      throw new Violation(
        `checkpoint, client ${client.id}: NOTIFY said ${world.other} has ${String(told)} messages, the store ${messages}`,
        client.id,
      );
  }
}

/** Violations grouped by kind (numbers blanked), for the collect mode's summary. */
export function violationKinds(violations: readonly string[]): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const violation of violations) {
    const first = violation.split('\n')[0] ?? '';
    const kind = first
      .replace(/^VIOLATION \([^)]*\): /, '')
      .replace(/\$\w+/g, '$K')
      .replace(/\d+/g, 'N');
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}
