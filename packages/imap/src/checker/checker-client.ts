/**
 * One checker client: a raw IMAP connection that sends commands, applies every response to its
 * MailboxModel (which throws a Violation when the server breaks an invariant), and keeps a
 * transcript tail for the failure report.
 */
import { connect, type Socket } from 'node:net';
import { fetchFacts, MailboxModel, Violation, type MessageModel } from './mailbox-model.js';
import { ResponseReader, stringsOf, type Response, type Token } from './response-reader.js';
import type { Transcript } from './transcript.js';

/** The tagged completion of a command and the untagged responses that came with it. */
export interface Completion {
  status: 'OK' | 'NO' | 'BAD';
  code: Token[] | null;
  text: string;
  untagged: Response[];
}

/** Which UIDs were shown \Recent to which client: RFC 3501 2.3.2 allows one session per message. */
export type RecentRegistry = Map<number, number>;

/**
 * RFC 5267 4.3: an updating context as the client keeps it, from the command's ESEARCH and the
 * ADDTO/REMOVEFROM updates after it: UIDs in mailbox order (a UID SEARCH context) or in the
 * requested order (a UID SORT context).
 */
export interface ContextModel {
  sorted: boolean;
  uids: number[];
  /** The command's own ESEARCH has come. */
  started: boolean;
}

/** The program of the checker's contexts: \Flagged messages; SORT by REVERSE ARRIVAL. */
export const CONTEXT_KEY = 'FLAGGED';

/**
 * What the command being answered is: for the RFC 3501 7.4.1 EXPUNGE rule, and `resync` for the
 * commands that may answer VANISHED (EARLIER) (RFC 7162 3.2.5 SELECT/EXAMINE (QRESYNC ...), 3.2.6
 * UID FETCH (... VANISHED)).
 */
export type CommandKind = 'noExpunge' | 'any' | 'resync';

/** What a QRESYNC client keeps of a mailbox while away (a real client's cache). */
export interface OfflineCache {
  uidValidity: number;
  highestModseq: number;
  /** The messages whose UID, flags and MODSEQ it was told, by UID. */
  messages: Map<number, { flags: string[]; modseq: number }>;
  /** (message number, UID) pairs as they were when it left, ascending (RFC 7162 3.2.5 seq-match-data). */
  pairs: Array<[number, number]>;
}

/** The numbers of a sequence set as the server writes it (`3:4,7`). */
export function numbersOf(set: string): number[] {
  const numbers: number[] = [];
  for (const part of set.split(',')) {
    const [from, to] = part.split(':').map(Number) as [number, number | undefined];
    const [low, high] = to === undefined ? [from, from] : [Math.min(from, to), Math.max(from, to)];
    for (let n = low; n <= high; n += 1) numbers.push(n);
  }
  return numbers;
}

/** What a NOTIFY client of the checker asks for (RFC 5465 3). */
const NOTIFY_EVENTS =
  '(selected-delayed (MessageNew MessageExpunge FlagChange)) (personal (MessageNew MessageExpunge))';

export class CheckerClient {
  model: MailboxModel | null = null;
  condstore = false;
  /** RFC 7162 3.2: ENABLE QRESYNC was sent; VANISHED replaces EXPUNGE from then on. */
  qresync = false;
  /** Set while the client is away (disconnected, keeping its cache); null when connected. */
  offline: OfflineCache | null = null;
  /** UIDs the current command's VANISHED (EARLIER) responses named. */
  readonly vanishedEarlier: number[] = [];
  private tagCounter = 0;
  private socket!: Socket;
  private reader!: ResponseReader;
  private kind: CommandKind = 'any';
  private loggingOut = false;
  /** Messages whose FLAGS the current command's responses told (for .SILENT inference). */
  readonly toldFlags = new Set<MessageModel>();
  /** Opens a UID SEARCH and a UID SORT context (RFC 5267 UPDATE) after every SELECT/EXAMINE. */
  watchContexts = false;
  /** The open contexts by tag; the server ends them all when the mailbox is selected again. */
  readonly contexts = new Map<string, ContextModel>();
  /** ADDTO/REMOVEFROM pairs applied so far. */
  contextUpdates = 0;
  /**
   * RFC 5465: the client uses NOTIFY (selected-delayed, so sequence numbers stay put between
   * commands, and personal mailboxes' STATUS) instead of IDLE; changes arrive between commands.
   */
  notify = false;
  /** The model a SELECT/EXAMINE starts, in force once the server says [CLOSED] of the previous one. */
  private nextModel: MailboxModel | null = null;
  /** RFC 5465 5.2 / 5.3: MESSAGES of each mailbox as the NOTIFY STATUS responses last told it. */
  readonly toldMessages = new Map<string, number>();
  /** STATUS responses received (NOTIFY clients), for the report. */
  statusNotifications = 0;

  constructor(
    readonly id: number,
    private readonly port: number,
    private readonly transcript: Transcript,
    private readonly recent: RecentRegistry,
  ) {}

  async connect(user: string): Promise<void> {
    this.loggingOut = false;
    this.socket = connect(this.port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.reader = new ResponseReader(this.socket);
    const greeting = await this.reader.next();
    this.transcript.record(this.id, 'S', greeting.raw);
    await this.expectOk(`LOGIN ${user} secret`);
    if (this.notify) {
      this.toldMessages.clear();
      await this.expectOk(`NOTIFY SET STATUS ${NOTIFY_EVENTS}`);
    }
  }

  async close(): Promise<void> {
    if (this.loggingOut) return;
    this.loggingOut = true;
    try {
      await this.command('LOGOUT');
    } catch {
      // the server closes after LOGOUT; nothing to check
    }
    this.socket.destroy();
  }

  async expectOk(text: string): Promise<Completion> {
    const completion = await this.command(text);
    if (completion.status !== 'OK')
      throw new Violation(`${text} answered ${completion.status} ${completion.text}`);
    return completion;
  }

  /** SELECT or EXAMINE (with select parameters, e.g. QRESYNC): a fresh model, filled by the responses. */
  async open(mailbox: string, readOnly: boolean, params = ''): Promise<Completion> {
    // RFC 7162 3.2.11: responses up to [CLOSED] are still the previous mailbox's (a NOTIFY client
    // may have been sent some just before the server read SELECT).
    const next = new MailboxModel(readOnly);
    if (this.model === null) this.model = next;
    else this.nextModel = next;
    this.contexts.clear();
    const verb = `${readOnly ? 'EXAMINE' : 'SELECT'} ${mailbox}${params === '' ? '' : ` ${params}`}`;
    const completion = await this.command(verb, params === '' ? 'any' : 'resync');
    if (this.nextModel !== null) {
      this.model = this.nextModel;
      this.nextModel = null;
    }
    if (completion.status !== 'OK')
      throw new Violation(`${verb} answered ${completion.status} ${completion.text}`);
    const mode = completion.code?.[0];
    if (mode !== (readOnly ? 'READ-ONLY' : 'READ-WRITE'))
      throw new Violation(`${readOnly ? 'EXAMINE' : 'SELECT'} completed with [${String(mode)}]`);
    if (this.watchContexts) {
      // The context commands start afresh what each command's VANISHED (EARLIER) named; the
      // caller of a resync reads what the SELECT itself said, so keep that across them.
      const earlier = [...this.vanishedEarlier];
      await this.openContext(`UID SEARCH RETURN (UPDATE ALL) ${CONTEXT_KEY}`, false);
      await this.openContext(`UID SORT RETURN (UPDATE ALL) (REVERSE ARRIVAL) UTF-8 ${CONTEXT_KEY}`, true);
      this.vanishedEarlier.splice(0, this.vanishedEarlier.length, ...earlier);
    }
    return completion;
  }

  private async openContext(text: string, sorted: boolean): Promise<void> {
    const tag = `c${this.id}.${this.tagCounter + 1}`;
    this.contexts.set(tag, { sorted, uids: [], started: false });
    await this.expectOk(text);
    if (this.contexts.get(tag)?.started !== true) throw new Violation(`${text} gave no ESEARCH`);
  }

  /** Sends one command and reads until its tagged completion, applying every response. */
  async command(text: string, kind: CommandKind = 'any'): Promise<Completion> {
    this.tagCounter += 1;
    const tag = `c${this.id}.${this.tagCounter}`;
    this.kind = kind;
    this.toldFlags.clear();
    this.vanishedEarlier.length = 0;
    this.send(`${tag} ${text}`);
    return this.readUntil(tag);
  }

  /** RFC 2177 IDLE: waits for `+`, lets `wait` pass, sends DONE, reads the completion. */
  async idle(wait: () => Promise<void>): Promise<Completion> {
    this.tagCounter += 1;
    const tag = `c${this.id}.${this.tagCounter}`;
    this.kind = 'any';
    this.send(`${tag} IDLE`);
    for (;;) {
      const response = await this.reader.next();
      this.transcript.record(this.id, 'S', response.raw);
      if (response.tag === '+') break;
      if (response.tag === tag) throw new Violation(`IDLE answered ${response.raw}`);
      this.apply(response);
    }
    await wait();
    this.send('DONE');
    return this.readUntil(tag);
  }

  private send(line: string): void {
    this.transcript.record(this.id, 'C', line);
    this.socket.write(`${line}\r\n`);
  }

  private async readUntil(tag: string): Promise<Completion> {
    const untagged: Response[] = [];
    let violation: unknown = null;
    for (;;) {
      const response = await this.reader.next();
      this.transcript.record(this.id, 'S', response.raw);
      if (response.tag === tag) {
        if (violation !== null) throw violation;
        const status = String(response.tokens[0]).toUpperCase();
        if (status !== 'OK' && status !== 'NO' && status !== 'BAD')
          throw new Violation(`tagged response with status ${status}`);
        // RFC 7162 3.2.7 / 3.2.8: EXPUNGE and CLOSE tell a QRESYNC client where it stands.
        if (response.code !== null && String(response.code[0]).toUpperCase() === 'HIGHESTMODSEQ') {
          if (!this.qresync) throw new Violation(`[HIGHESTMODSEQ] on the OK of a client without QRESYNC`);
          const value = Number(response.code[1]);
          if (this.model !== null && value < this.model.highestModseq)
            throw new Violation(
              `tagged HIGHESTMODSEQ ${value} below the ${this.model.highestModseq} told before`,
            );
          if (this.model !== null) this.model.highestModseq = value;
        }
        return { status, code: response.code, text: String(response.tokens[1] ?? ''), untagged };
      }
      if (response.tag !== '*') throw new Violation(`unexpected response tag ${response.tag}`);
      untagged.push(response);
      // The rest of the command's responses are still read, so the connection stays in step.
      try {
        this.apply(response);
      } catch (error) {
        violation ??= error;
      }
    }
  }

  /** Applies one untagged response to the model, checking it. */
  private apply(response: Response): void {
    const [first, second] = response.tokens;
    if (typeof first !== 'string') throw new Violation(`unparsable response ${response.raw}`);
    if (/^\d+$/.test(first)) {
      const number = Number(first);
      const word = String(second).toUpperCase();
      const model = this.model;
      if (model === null) throw new Violation(`${word} with no mailbox selected`);
      switch (word) {
        case 'EXISTS':
          model.exists(number);
          return;
        case 'RECENT':
          if (number > model.count) throw new Violation(`RECENT ${number} above EXISTS ${model.count}`);
          model.recentCount = number;
          return;
        case 'EXPUNGE':
          // RFC 7162 3.2.10: a QRESYNC client is told VANISHED instead.
          if (this.qresync) throw new Violation('EXPUNGE sent to a client that enabled QRESYNC');
          // RFC 3501 7.4.1.
          if (this.kind === 'noExpunge') throw new Violation('EXPUNGE sent during FETCH, STORE or SEARCH');
          model.expunge(number);
          return;
        case 'FETCH': {
          const facts = fetchFacts(number, response.tokens[2]);
          const message = model.fetch(facts);
          if (facts.flags) this.toldFlags.add(message);
          if (facts.flags?.includes('\\Recent')) {
            const uid = facts.uid ?? message.uid;
            if (uid !== null) this.claimRecent(uid);
          }
          return;
        }
        default:
          throw new Violation(`unknown numbered response ${response.raw}`);
      }
    }
    switch (first.toUpperCase()) {
      case 'OK':
        if (response.code !== null && String(response.code[0]).toUpperCase() === 'NOTIFICATIONOVERFLOW')
          throw new Violation(`NOTIFICATIONOVERFLOW within the limits: ${response.raw}`);
        this.applyCode(response.code);
        return;
      case 'STATUS':
        this.applyStatus(response);
        return;
      case 'VANISHED':
        this.vanished(response.tokens.slice(1));
        return;
      case 'FLAGS':
        if (this.model) this.model.flagList = new Set(stringsOf(second));
        return;
      case 'SEARCH':
        if (this.model && this.kind === 'noExpunge')
          for (const number of response.tokens.slice(1)) this.model.checkSequence(Number(number), 'SEARCH');
        return;
      case 'ESEARCH':
        this.applyEsearch(response);
        return;
      case 'BYE':
        if (!this.loggingOut) throw new Violation(`unexpected BYE: ${response.raw}`);
        return;
      case 'NO':
      case 'BAD':
        throw new Violation(`untagged ${response.raw}`);
      default:
        // CAPABILITY, ENABLED, LIST, STATUS, ...: nothing about the selected mailbox.
        return;
    }
  }

  /**
   * RFC 5267 4.3: the command's own ESEARCH starts a context; ADDTO and REMOVEFROM pairs are then
   * applied in order (4.3.2), a REMOVEFROM naming exactly the results at its position (4.3.4).
   */
  private applyEsearch(response: Response): void {
    const correlator = response.tokens[1];
    const tagToken = Array.isArray(correlator) ? correlator[1] : undefined;
    const tag = typeof tagToken === 'object' && tagToken !== null && 'str' in tagToken ? tagToken.str : null;
    const context = tag === null ? undefined : this.contexts.get(tag);
    if (context === undefined) return;
    const items = response.tokens.slice(2).filter((token) => token !== 'UID');
    const updates = items.some((token) => token === 'ADDTO' || token === 'REMOVEFROM');
    if (!context.started) {
      if (updates) throw new Violation(`an update before the result of ${tag}: ${response.raw}`);
      context.started = true;
      const all = items.indexOf('ALL');
      context.uids = all === -1 ? [] : expandSet(String(items[all + 1]));
      return;
    }
    for (let i = 0; i < items.length; i += 2) {
      const name = items[i];
      const pairs = items[i + 1];
      if ((name !== 'ADDTO' && name !== 'REMOVEFROM') || !Array.isArray(pairs))
        throw new Violation(`unexpected ESEARCH update ${response.raw}`);
      for (let p = 0; p < pairs.length; p += 2) {
        const position = Number(pairs[p]);
        const uids = expandSet(String(pairs[p + 1]));
        this.contextUpdates += 1;
        if (!context.sorted) {
          if (position !== 0) throw new Violation(`SEARCH context position ${position}: ${response.raw}`);
          const members = new Set(context.uids);
          for (const uid of uids) {
            if (name === 'ADDTO') members.add(uid);
            else if (!members.delete(uid)) throw new Violation(`REMOVEFROM of UID ${uid} not in ${tag}`);
          }
          context.uids = [...members].sort((a, b) => a - b);
          continue;
        }
        if (position < 1 || position - 1 > context.uids.length)
          throw new Violation(`${name} position ${position} outside ${tag} of ${context.uids.length}`);
        if (name === 'ADDTO') {
          context.uids.splice(position - 1, 0, ...uids);
          continue;
        }
        const there = context.uids.slice(position - 1, position - 1 + uids.length);
        if (there.join(',') !== uids.join(','))
          throw new Violation(
            `REMOVEFROM (${position} ${uids.join(',')}) but ${tag} has ${there.join(',')} there`,
          );
        context.uids.splice(position - 1, uids.length);
      }
    }
  }

  /** RFC 7162 3.2.10: `VANISHED uid-set` or `VANISHED (EARLIER) uid-set`. */
  private vanished(rest: Token[]): void {
    const model = this.model;
    if (!this.qresync) throw new Violation('VANISHED sent to a client that did not enable QRESYNC');
    if (model === null) throw new Violation('VANISHED with no mailbox selected');
    const earlier =
      Array.isArray(rest[0]) &&
      stringsOf(rest[0])
        .map((s) => s.toUpperCase())
        .includes('EARLIER');
    const uids = numbersOf(String(earlier ? rest[1] : rest[0]));
    if (earlier) {
      if (this.kind !== 'resync')
        throw new Violation('VANISHED (EARLIER) outside SELECT (QRESYNC) / UID FETCH VANISHED');
      for (const uid of uids) {
        // It does not count messages down: none of them may be one the client counts.
        if (model.sequenceOfUid(uid) !== null)
          throw new Violation(`VANISHED (EARLIER) names UID ${uid}, which the client still counts`);
        this.vanishedEarlier.push(uid);
      }
      return;
    }
    // RFC 3501 7.4.1 holds for VANISHED as for EXPUNGE.
    if (this.kind === 'noExpunge') throw new Violation('VANISHED sent during FETCH, STORE or SEARCH');
    for (const uid of uids) model.vanish(uid);
  }

  /** Leaves (LOGOUT), keeping what a real QRESYNC client caches: UIDs, flags, MODSEQs, HIGHESTMODSEQ. */
  async goOffline(): Promise<void> {
    const model = this.model;
    if (model === null) throw new Error('goOffline without a mailbox');
    const messages = new Map<number, { flags: string[]; modseq: number }>();
    const pairs: Array<[number, number]> = [];
    model.messages.forEach((message, index) => {
      if (message.uid === null) return;
      pairs.push([index + 1, message.uid]);
      if (message.flags !== null && message.modseq !== null)
        messages.set(message.uid, { flags: [...message.flags].sort(), modseq: message.modseq });
    });
    this.offline = { uidValidity: model.uidValidity, highestModseq: model.highestModseq, messages, pairs };
    await this.close();
    this.model = null;
  }

  /**
   * RFC 5465 5.2 / 5.3: an unsolicited STATUS only reaches a NOTIFY client, never about the
   * selected mailbox (its changes are EXISTS/EXPUNGE), and always with MESSAGES, UIDNEXT and
   * UIDVALIDITY. (HIGHESTMODSEQ once CONDSTORE is on is the raw tests' to check: a push may
   * cross the enabling command on the wire.)
   */
  private applyStatus(response: Response): void {
    if (!this.notify) throw new Violation(`STATUS to a client without NOTIFY: ${response.raw}`);
    const token = response.tokens[1];
    const name =
      typeof token === 'object' && token !== null && !Array.isArray(token) ? token.str : String(token);
    const items = response.tokens[2];
    if (!Array.isArray(items)) throw new Violation(`unparsable STATUS ${response.raw}`);
    if (this.model !== null && name === 'INBOX')
      throw new Violation(`STATUS about the selected mailbox: ${response.raw}`);
    const values = new Map<string, number>();
    for (let index = 0; index + 1 < items.length; index += 2)
      values.set(String(items[index]).toUpperCase(), Number(items[index + 1]));
    for (const item of ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY'])
      if (!values.has(item)) throw new Violation(`STATUS without ${item}: ${response.raw}`);
    this.toldMessages.set(name, values.get('MESSAGES') as number);
    this.statusNotifications += 1;
  }

  private applyCode(code: Token[] | null): void {
    if (code !== null && String(code[0]).toUpperCase() === 'CLOSED' && this.nextModel !== null) {
      this.model = this.nextModel;
      this.nextModel = null;
      return;
    }
    const model = this.model;
    if (code === null || model === null) return;
    const name = String(code[0]).toUpperCase();
    switch (name) {
      case 'PERMANENTFLAGS':
        model.permanentFlags = new Set(stringsOf(code[1]));
        return;
      case 'HIGHESTMODSEQ':
        model.highestModseq = Number(code[1]);
        return;
      case 'UIDVALIDITY':
        model.uidValidity = Number(code[1]);
        return;
      case 'UNSEEN':
        model.checkSequence(Number(code[1]), 'UNSEEN');
        return;
    }
  }

  private claimRecent(uid: number): void {
    const owner = this.recent.get(uid);
    if (owner !== undefined && owner !== this.id)
      throw new Violation(`UID ${uid} is \\Recent in client ${owner} and in client ${this.id}`);
    this.recent.set(uid, this.id);
  }
}

/** A sequence set as the server wrote it, expanded in its order (ranges go up, RFC 5267 3.2). */
function expandSet(text: string): number[] {
  const values: number[] = [];
  for (const part of text.split(',')) {
    const [low, high] = part.split(':').map(Number) as [number, number | undefined];
    if (high === undefined) values.push(low);
    else for (let value = low; value <= high; value += 1) values.push(value);
  }
  return values;
}
