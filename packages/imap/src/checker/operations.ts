/**
 * The checker's random schedule: one operation at a time per client, chosen with the client's
 * seeded random source, over the client's own model (it only names messages it was told of).
 * Deliveries (the store's delivery path, as SMTP uses it) and POP3-style deletes (removal by UID
 * through the store, as POP3's UPDATE state does) are operations too, so they interleave with
 * the clients' commands.
 */
import type { MailStore } from '@minimail/store';
import { int, pick } from '@minimail/protocol/testing';
import { formatSequenceSet } from '../protocol/sequence-set.js';
import type { CheckerClient, Completion } from './checker-client.js';
import { fetchFacts, Violation, type MailboxModel, type MessageModel } from './mailbox-model.js';
import type { OtherProcess } from './other-process.js';

export interface World {
  store: MailStore;
  /** The login name of every checker client. */
  user: string;
  userId: number;
  inboxId: number;
  /** The selected mailbox's name, and another one for COPY/MOVE. */
  mailbox: string;
  other: string;
  /** Around how many messages the mailbox keeps (deliveries and deletes steer towards it). */
  targetSize: number;
  /** Counter for keywords nobody has used yet (RFC 3501 7.2.6 FLAGS must announce them). */
  freshKeywords: { next: number };
  /** Another connection to the same file (a second process, to SQLite), or null. */
  remote: OtherProcess | null;
}

type Operation = (client: CheckerClient, random: () => number, world: World) => Promise<unknown>;

const SYSTEM = ['\\Seen', '\\Flagged', '\\Answered', '\\Deleted', '\\Draft'];
const KEYWORDS = ['$Label1', '$Label2', '$Label3', '$Forwarded', '$Junk'];

function someFlags(random: () => number, world: World): string[] {
  const flags = new Set<string>();
  const count = 1 + int(random, 2);
  for (let i = 0; i < count; i += 1) {
    const roll = random();
    if (roll < 0.03) flags.add(`$New${world.freshKeywords.next++}`);
    else if (roll < 0.5) flags.add(pick(random, SYSTEM));
    else flags.add(pick(random, KEYWORDS));
  }
  return [...flags];
}

/** A sequence range the client knows: `a:b` within the count, sometimes `a:*`. */
function range(random: () => number, model: MailboxModel): { text: string; sequences: number[] } | null {
  if (model.count === 0) return null;
  const start = 1 + int(random, model.count);
  if (random() < 0.15) {
    const sequences = Array.from({ length: model.count - start + 1 }, (_, i) => start + i);
    return { text: `${start}:*`, sequences };
  }
  const end = Math.min(model.count, start + int(random, 4));
  const sequences = Array.from({ length: end - start + 1 }, (_, i) => start + i);
  return { text: start === end ? `${start}` : `${start}:${end}`, sequences };
}

/** Some UIDs the client knows. */
function knownUids(random: () => number, model: MailboxModel): number[] {
  const known = model.messages.map((message) => message.uid).filter((uid): uid is number => uid !== null);
  if (known.length === 0) return [];
  const start = int(random, known.length);
  return known.slice(start, start + 1 + int(random, 3));
}

function modelOf(client: CheckerClient): MailboxModel {
  if (client.model === null) throw new Error('checker client without a selected mailbox');
  return client.model;
}

/** Items every checker FETCH asks for: UID and FLAGS, and MODSEQ once CONDSTORE is on. */
function flagItems(client: CheckerClient): string {
  return client.condstore ? 'UID FLAGS MODSEQ' : 'UID FLAGS';
}

/** A command that only a read-write mailbox allows: NO [READ-ONLY] is right on EXAMINE. */
function expectWritable(client: CheckerClient, completion: Completion, what: string): void {
  if (completion.status === 'BAD') throw new Violation(`${what} answered BAD ${completion.text}`);
  if (completion.status === 'NO' && !modelOf(client).readOnly)
    throw new Violation(`${what} answered NO ${completion.text} on a read-write mailbox`);
}

function expectOk(completion: Completion, what: string): void {
  if (completion.status !== 'OK')
    throw new Violation(`${what} answered ${completion.status} ${completion.text}`);
}

const fetchFlags: Operation = async (client, random) => {
  const target = range(random, modelOf(client));
  if (target === null) return client.expectOk('NOOP');
  const command = `FETCH ${target.text} (${flagItems(client)})`;
  return expectOk(await client.command(command, 'noExpunge'), command);
};

const fetchNew: Operation = async (client) => {
  const model = modelOf(client);
  const firstUnknown = model.messages.findIndex((message) => message.uid === null);
  if (firstUnknown === -1) return client.expectOk('NOOP');
  const command = `FETCH ${firstUnknown + 1}:* (${flagItems(client)})`;
  return expectOk(await client.command(command, 'noExpunge'), command);
};

/** BODY[TEXT] sets \Seen (RFC 3501 6.4.5), so the new flags come back unasked. */
const fetchBody: Operation = async (client, random) => {
  const model = modelOf(client);
  if (model.count === 0) return client.expectOk('NOOP');
  const sequence = 1 + int(random, model.count);
  const item = random() < 0.5 ? 'BODY[TEXT]' : 'BODY.PEEK[HEADER.FIELDS (SUBJECT)]';
  const command = `FETCH ${sequence} (UID ${item})`;
  return expectOk(await client.command(command, 'noExpunge'), command);
};

const uidFetch: Operation = async (client, random, world) => {
  const uids = knownUids(random, modelOf(client));
  if (uids.length === 0) return fetchNew(client, random, world);
  const command = `UID FETCH ${uids.join(',')} (${flagItems(client)})`;
  return expectOk(await client.command(command), command);
};

/** STORE or UID STORE, any mode, sometimes .SILENT, sometimes UNCHANGEDSINCE. */
function storeOperation(byUid: boolean): Operation {
  return async (client, random, world) => {
    const model = modelOf(client);
    let targets: MessageModel[];
    let set: string;
    if (byUid) {
      const uids = knownUids(random, model);
      if (uids.length === 0) return fetchNew(client, random, world);
      set = uids.join(',');
      targets = uids.map((uid) => model.messages[(model.sequenceOfUid(uid) as number) - 1] as MessageModel);
    } else {
      const chosen = range(random, model);
      if (chosen === null) return client.expectOk('NOOP');
      set = chosen.text;
      targets = chosen.sequences.map((sequence) => model.messages[sequence - 1] as MessageModel);
    }
    const mode = pick(random, ['+', '-', '']);
    const silent = random() < 0.3;
    const flags = someFlags(random, world);
    let modifier = '';
    if (random() < 0.2) {
      const known = targets[0]?.modseq ?? model.highestModseq;
      modifier = ` (UNCHANGEDSINCE ${Math.max(1, known - int(random, 2))})`;
      client.condstore = true;
    }
    const command = `${byUid ? 'UID STORE' : 'STORE'} ${set}${modifier} ${mode}FLAGS${silent ? '.SILENT' : ''} (${flags.join(' ')})`;
    const countBefore = model.messages.length;
    const completion = await client.command(command, byUid ? 'any' : 'noExpunge');
    expectWritable(client, completion, command);
    if (completion.status !== 'OK') return completion;
    // `n:*` is read by the server when it runs the command: messages a NOTIFY push announced while
    // the command was on the wire are in it too. Their flags after a .SILENT STORE are the client's
    // own change applied to flags it may never have been told: forgotten (unchecked until told).
    if (client.notify && silent && !byUid && set.endsWith('*'))
      for (let sequence = countBefore + 1; sequence <= model.messages.length; sequence += 1) {
        const message = model.messages[sequence - 1];
        if (message) message.flags = null;
      }
    // RFC 7162 3.1.3: MODIFIED names what was left alone (sequence numbers, or UIDs for UID STORE).
    const modified = new Set<number>();
    if (completion.code && String(completion.code[0]).toUpperCase() === 'MODIFIED')
      for (const part of String(completion.code[1]).split(',')) {
        const [from, to] = part.split(':').map(Number) as [number, number | undefined];
        for (let n = from; n <= (to ?? from); n += 1) modified.add(n);
      }
    // What a client knows without being told: its own change applied to the flags it had.
    targets.forEach((message, index) => {
      const name = byUid ? message.uid : Number(set.split(':')[0]) + index;
      if (modified.has(name as number)) return;
      if (client.toldFlags.has(message)) {
        // RFC 5465: a NOTIFY client may have been sent that FETCH just before the server read its
        // STORE .SILENT (a push crossing the command on the wire): it cannot tell whether the
        // flags told are from before or after its own change, so it forgets them (unchecked
        // until told again).
        if (client.notify && silent) message.flags = null;
        return;
      }
      if (!silent) return;
      if (mode === '') message.flags = new Set(flags);
      else if (message.flags !== null)
        for (const flag of flags) {
          if (mode === '+') message.flags.add(flag);
          else message.flags.delete(flag);
        }
      if (mode === '-') return;
      for (const flag of flags)
        if (!flag.startsWith('\\') && !model.flagList.has(flag) && message.flags !== null)
          throw new Violation(`keyword ${flag} was stored (.SILENT) but never announced by FLAGS`);
    });
    return completion;
  };
}

const append: Operation = async (client, random, world) => {
  const body = `Subject: checker ${client.id}\r\n\r\nbody ${int(random, 1_000_000)}\r\n`;
  const flags = random() < 0.5 ? someFlags(random, world) : [];
  const mailbox = random() < 0.85 ? world.mailbox : world.other;
  const completion = await client.command(
    `APPEND ${mailbox} (${flags.join(' ')}) {${Buffer.byteLength(body)}+}\r\n${body}`,
  );
  return expectOk(completion, 'APPEND');
};

function copyOrMove(verb: 'COPY' | 'MOVE'): Operation {
  return async (client, random, world) => {
    const target = range(random, modelOf(client));
    if (target === null) return client.expectOk('NOOP');
    const into = random() < 0.5 ? world.mailbox : world.other;
    const command = `${verb} ${target.text} ${into}`;
    const completion = await client.command(command);
    if (verb === 'MOVE') expectWritable(client, completion, command);
    else expectOk(completion, command);
    return completion;
  };
}

const expunge: Operation = async (client) => {
  const completion = await client.command('EXPUNGE');
  expectWritable(client, completion, 'EXPUNGE');
  return completion;
};

const uidExpunge: Operation = async (client, random, world) => {
  const uids = knownUids(random, modelOf(client));
  if (uids.length === 0) return fetchNew(client, random, world);
  const command = `UID EXPUNGE ${uids.join(',')}`;
  const completion = await client.command(command);
  expectWritable(client, completion, command);
  return completion;
};

const noop: Operation = (client) => client.expectOk('NOOP');

/** IDLE for a moment: long enough for other clients' changes to arrive now and then. */
const idle: Operation = async (client, random) => {
  // RFC 5465: a NOTIFY client just waits; what changed arrives unasked, then NOOP reads the rest.
  if (client.notify) {
    await new Promise((resolve) => setTimeout(resolve, int(random, 15)));
    return client.expectOk('NOOP');
  }
  const completion = await client.idle(() => new Promise((resolve) => setTimeout(resolve, int(random, 15))));
  return expectOk(completion, 'IDLE');
};

/**
 * RFC 7162 3.2.6: a QRESYNC client asks what changed and what vanished since the HIGHESTMODSEQ it
 * was told; the VANISHED (EARLIER) may only name UIDs it does not count (checked as applied).
 */
const uidFetchVanished: Operation = async (client, random, world) => {
  if (!client.qresync) return uidFetch(client, random, world);
  const since = Math.max(1, modelOf(client).highestModseq);
  const command = `UID FETCH 1:* (UID FLAGS MODSEQ) (CHANGEDSINCE ${since} VANISHED)`;
  return expectOk(await client.command(command, 'resync'), command);
};

/** A QRESYNC client leaves, keeping its cache; it comes back at the next checkpoint (`comeBack`). */
const goOffline: Operation = async (client) => {
  if (!client.qresync) return client.expectOk('NOOP');
  return client.goOffline();
};

/**
 * A client that was away reconnects and resyncs with SELECT/EXAMINE (QRESYNC (uidvalidity
 * modseq [known-uids] [seq-match-data])) while nothing else happens (a checkpoint): its cache,
 * less what VANISHED (EARLIER) named, with what the FETCH responses told, must be exactly the
 * store's mailbox, and EXISTS its size (RFC 7162 3.2.5).
 */
export async function comeBack(client: CheckerClient, random: () => number, world: World): Promise<void> {
  const cache = client.offline;
  if (cache === null) return;
  client.offline = null;
  await client.connect(world.user);
  await client.expectOk('ENABLE QRESYNC');
  const cachedUids = [...cache.messages.keys()].sort((a, b) => a - b);
  const parts = [`${cache.uidValidity}`, `${Math.max(1, cache.highestModseq)}`];
  const sendKnown = cachedUids.length > 0 && random() < 0.5;
  if (sendKnown) parts.push(formatSequenceSet(cachedUids));
  if (cache.pairs.length > 0 && random() < 0.3) {
    const step = Math.max(1, Math.floor(cache.pairs.length / 4));
    const sample = cache.pairs.filter((_, index) => index % step === 0).slice(0, 4);
    parts.push(`(${sample.map(([seq]) => seq).join(',')} ${sample.map(([, uid]) => uid).join(',')})`);
  }
  const completion = await client.open(world.mailbox, random() < 0.25, `(QRESYNC (${parts.join(' ')}))`);
  const known = new Map(cache.messages);
  for (const uid of client.vanishedEarlier) known.delete(uid);
  for (const response of completion.untagged) {
    if (String(response.tokens[1]).toUpperCase() !== 'FETCH') continue;
    const facts = fetchFacts(Number(response.tokens[0]), response.tokens[2]);
    if (facts.uid === undefined || facts.flags === undefined || facts.modseq === undefined)
      throw new Violation(`resync FETCH without UID, FLAGS and MODSEQ: ${response.raw}`);
    if (sendKnown && !cache.messages.has(facts.uid))
      throw new Violation(`resync FETCH of UID ${facts.uid}, which is not among the known UIDs`);
    known.set(facts.uid, {
      flags: facts.flags.filter((flag) => flag !== '\\Recent').sort(),
      modseq: facts.modseq,
    });
  }
  const store = await world.store.listMessageFlags(world.inboxId);
  const where = `after resync, client ${client.id}`;
  for (const [uid, told] of known) {
    const index = store.uids.indexOf(uid);
    if (index === -1)
      throw new Violation(`${where}: UID ${uid} is gone but VANISHED (EARLIER) did not say so`, client.id);
    const flags = [...(store.flags[index] ?? [])].sort().join(' ');
    const modseq = store.modseqs[index] as number;
    if (told.flags.join(' ') !== flags || told.modseq !== modseq)
      throw new Violation(
        `${where}: UID ${uid} is (${told.flags.join(' ')}) MODSEQ ${told.modseq}, the store (${flags}) MODSEQ ${modseq}`,
        client.id,
      );
  }
  if (modelOf(client).count !== store.uids.length)
    throw new Violation(
      `${where}: EXISTS ${modelOf(client).count}, the store has ${store.uids.length}`,
      client.id,
    );
}

const search: Operation = async (client, random) => {
  const byUid = random() < 0.5;
  const key = pick(random, ['UNSEEN', 'FLAGGED', `KEYWORD ${pick(random, KEYWORDS)}`, 'ALL']);
  const command = `${byUid ? 'UID SEARCH' : 'SEARCH'} ${key}`;
  return expectOk(await client.command(command, byUid ? 'any' : 'noExpunge'), command);
};

const reselect: Operation = async (client, random, world) => {
  const readOnly = random() < 0.25;
  if (random() < 0.2) {
    client.condstore = true;
    await client.expectOk('ENABLE CONDSTORE');
  }
  return client.open(world.mailbox, readOnly);
};

/** A delivery through the store's delivery path (what SMTP's DATA does), sometimes with keywords. */
const deliver: Operation = async (client, random, world) => {
  const status = await world.store.mailboxStatus(world.inboxId);
  if (status.messages > world.targetSize * 1.5) return deletePop3(client, random, world);
  const raw = `Subject: delivered\r\n\r\nhello ${int(random, 1_000_000)}\r\n`;
  const flags = random() < 0.3 ? someFlags(random, world).filter((flag) => flag !== '\\Deleted') : null;
  // Half from another process (an SMTP container on the same volume), half from this one.
  if (world.remote !== null && random() < 0.5)
    return world.remote.deliver(world.inboxId, raw, flags ?? undefined);
  await world.store.deliver({
    raw: Buffer.from(raw),
    targets: [{ userId: world.userId, mailbox: world.mailbox }],
    ...(flags ? { flags } : {}),
  });
  return null;
};

/** What POP3's UPDATE state does: remove messages by UID, flagged \Deleted or not. */
const deletePop3: Operation = async (_client, random, world) => {
  const { uids } = await world.store.listMessageFlags(world.inboxId);
  if (uids.length < world.targetSize / 2) return null;
  const chosen = [pick(random, uids), pick(random, uids)];
  if (world.remote !== null && random() < 0.5) await world.remote.expunge(world.inboxId, chosen);
  else await world.store.expunge(world.inboxId, chosen);
  return null;
};

/** Each operation with its weight (how often it is chosen). */
export const OPERATIONS: ReadonlyArray<readonly [string, number, Operation]> = [
  ['fetchFlags', 12, fetchFlags],
  ['fetchNew', 8, fetchNew],
  ['fetchBody', 3, fetchBody],
  ['uidFetch', 5, uidFetch],
  ['uidFetchVanished', 2, uidFetchVanished],
  ['goOffline', 1, goOffline],
  ['store', 14, storeOperation(false)],
  ['uidStore', 7, storeOperation(true)],
  ['append', 4, append],
  ['copy', 3, copyOrMove('COPY')],
  ['move', 3, copyOrMove('MOVE')],
  ['expunge', 2, expunge],
  ['uidExpunge', 3, uidExpunge],
  ['noop', 6, noop],
  ['idle', 4, idle],
  ['search', 3, search],
  ['reselect', 2, reselect],
  ['deliver', 9, deliver],
  ['pop3Delete', 3, deletePop3],
];

const TOTAL_WEIGHT = OPERATIONS.reduce((sum, [, weight]) => sum + weight, 0);

/** Picks and runs one operation; returns its name (for the report). */
export async function runOperation(
  client: CheckerClient,
  random: () => number,
  world: World,
): Promise<string> {
  let roll = random() * TOTAL_WEIGHT;
  for (const [name, weight, operation] of OPERATIONS) {
    roll -= weight;
    if (roll < 0) {
      await operation(client, random, world);
      return name;
    }
  }
  throw new Error('unreachable: weights exhausted');
}
