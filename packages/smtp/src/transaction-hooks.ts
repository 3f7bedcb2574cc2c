import type {
  SMTPServerAddress,
  SMTPServerDataStream,
  SMTPServerError,
  SMTPServerSession,
} from 'smtp-server';
import type { Logger } from 'pino';
import { recordBodyPreview } from '@minimail/protocol';
import { StoreError, type DeliveryResult, type OutboundDsn, type SmtpStore } from '@minimail/store';
import type { MessageMemoryBudget, MessageSpool, ProtocolMetrics } from '@minimail/protocol';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  collectMessage,
  deliverMessage,
  normalizeLineEndings,
  spooledBytes,
  type CollectedMessage,
  type SpooledSource,
} from './delivery.js';
import { dsnByRecipient } from './dsn-params.js';
import type { DsnRecipient } from './outbound/dsn.js';
import type { SmtpRecordings } from './recording.js';
import { decideRecipient, decideSender, mergePlans } from './envelope-policy.js';
import { originatorAddresses } from './sender-headers.js';
import { isForbiddenDestination } from './outbound/forbidden-destinations.js';
import { lookupDestination } from './outbound/mx-lookup.js';
import { sendBounce } from './outbound/bounce.js';
import type { DnsResolver } from './outbound/resolver.js';
import type { Profile, RecipientPlan } from './envelope-policy.js';
import type { InFlight } from './in-flight.js';
import { receivedHeader, returnPathHeader } from './received-header.js';
import { REPLIES, replyError, replyText } from './replies.js';
import type { ReplyName } from './replies.js';
import { sessionUser } from './session-user.js';
import { TransactionBook } from './transaction.js';
import { checkInbound, removeForgedResults, type InboundAuthOptions } from './inbound-auth/index.js';
import type { Transaction } from './transaction.js';
import type { SieveDeliveryOptions } from './sieve/options.js';
import { checkSpam, type SpamOutcome } from './rspamd/check.js';
import type { RspamdOptions } from './rspamd/options.js';

export type ListenerKind = 'mx' | 'submission';

export interface TransactionContext {
  kind: ListenerKind;
  store: SmtpStore;
  logger: Logger;
  hostname: string;
  profile: Profile;
  maxMessageSize: number;
  /** The process's bound on message bytes in memory (shared with IMAP APPEND). */
  messageBudget: MessageMemoryBudget;
  /** Where DATA past its threshold goes instead of memory (docs/adr/0027); absent: memory only. */
  spool?: MessageSpool | undefined;
  /** Submission: skip the header From:/Sender: ownership check (trusted relays). */
  allowAnyHeaderSender: boolean;
  /** Submission: MX/A lookups at RCPT for the destination check (envelope-policy.ts). */
  relayResolver?: DnsResolver;
  inFlight: InFlight;
  /** Counts each delivered message and its size (direction `in`). */
  metrics?: ProtocolMetrics | undefined;
  /** MX only: SPF/DKIM/DMARC/ARC checks before storing; null or absent skips them. */
  inboundAuth?: InboundAuthOptions | null;
  /** Sieve at local delivery (MX and submission alike: every local copy is a final delivery). */
  sieve?: SieveDeliveryOptions | null;
  /** MX only: ask Rspamd about each message (null or absent: no spam checks). */
  rspamd?: RspamdOptions | null;
  /** The listener's recorded conversations (issue 16); undefined records none. */
  recordings?: SmtpRecordings | undefined;
}

type Callback = (err?: SMTPServerError | null, message?: string) => void;

/**
 * The smtp-server hooks of a mail transaction (MAIL, RCPT, DATA) shared by MX and submission.
 * They differ only in who may send as whom and who may relay, which envelope-policy decides from
 * `kind`, `profile` and the session's login. Each finished transaction writes one log line.
 */
export function transactionHooks(context: TransactionContext) {
  const book = new TransactionBook();
  const { logger } = context;

  /** One line per transaction: who, to whom, how big, what happened, how long. No credentials. */
  const logTransaction = (
    session: SMTPServerSession,
    transaction: Transaction,
    result: string,
    extra: object = {},
  ): void => {
    logger.info(
      {
        cid: session.id,
        service: context.kind,
        user: sessionUser(session)?.address,
        from: transaction.from,
        recipients: [...transaction.plans.keys()],
        rejected: transaction.rejected,
        result,
        ms: Date.now() - transaction.startedAt,
        ...extra,
      },
      'smtp transaction',
    );
  };

  /** Refuses with a table reply; a failure of our own is logged with its cause, never swallowed. */
  const refuse = (session: SMTPServerSession, reply: ReplyName, error: unknown, callback: Callback): void => {
    if (error !== undefined) logger.error({ cid: session.id, err: error }, `smtp ${reply}`);
    callback(replyError(reply));
  };

  const onMailFrom = (address: SMTPServerAddress, session: SMTPServerSession, callback: Callback): void => {
    const previous = book.get(session.id);
    if (previous !== undefined) logTransaction(session, previous, 'abandoned');
    book.end(session.id);
    context.recordings?.get(session.id)?.address(address.address);
    // MX accepts any sender (mail from the world); submission only the user's own addresses.
    if (context.kind === 'mx') {
      book.begin(session.id, address.address);
      callback();
      return;
    }
    const user = sessionUser(session);
    if (user === null) {
      // smtp-server already answers 530 before AUTH; this only guards against a changed option.
      refuse(session, 'AUTH_REQUIRED', undefined, callback);
      return;
    }
    decideSender(context.store, user.id, address.address).then(
      (decision) => {
        if (!decision.ok) {
          logTransaction(
            session,
            { startedAt: Date.now(), from: address.address, plans: new Map(), rejected: [] },
            decision.reply,
          );
          refuse(session, decision.reply, decision.error, callback);
          return;
        }
        book.begin(session.id, address.address);
        callback();
      },
      (error: unknown) => refuse(session, 'LOCAL_ERROR', error, callback),
    );
  };

  const resolvesOnlyToForbidden = async (domain: string): Promise<boolean> => {
    const hosts = await lookupDestination(domain, context.relayResolver!);
    return hosts.every((host) => host.addresses.every(isForbiddenDestination));
  };

  const onRcptTo = (address: SMTPServerAddress, session: SMTPServerSession, callback: Callback): void => {
    const transaction = book.get(session.id);
    context.recordings?.get(session.id)?.address(address.address);
    if (transaction === undefined) {
      refuse(session, 'LOCAL_ERROR', new Error('RCPT without a tracked transaction'), callback);
      return;
    }
    const declaredSize = declaredSizeOf(session);
    const recipientContext = {
      profile: context.profile,
      authenticated: context.kind === 'submission' && sessionUser(session) !== null,
      hostname: context.hostname,
      ...(context.relayResolver !== undefined ? { resolvesOnlyToForbidden } : {}),
      ...(declaredSize !== undefined ? { declaredSize } : {}),
    };
    decideRecipient(context.store, recipientContext, address.address).then(
      (decision) => {
        if (!decision.ok) {
          transaction.rejected.push({ address: address.address, code: REPLIES[decision.reply].code });
          refuse(session, decision.reply, decision.error, callback);
          return;
        }
        transaction.plans.set(address.address.toLowerCase(), decision.value);
        callback();
      },
      (error: unknown) => refuse(session, 'LOCAL_ERROR', error, callback),
    );
  };

  const onData = (stream: SMTPServerDataStream, session: SMTPServerSession, callback: Callback): void => {
    const transaction = book.get(session.id) ?? {
      startedAt: Date.now(),
      from: '',
      plans: new Map(),
      rejected: [],
    };
    book.end(session.id);
    const work = receiveAndDeliver(context, stream, session, transaction);
    context.inFlight.track(session.id, work).then(
      (outcome) => {
        logTransaction(session, transaction, outcome.result, outcome.log);
        if (outcome.reply === 'DELIVERED') {
          context.metrics?.message('in', outcome.size);
          callback(null, replyText('DELIVERED'));
        } else refuse(session, outcome.reply, outcome.error, callback);
      },
      (error: unknown) => {
        logTransaction(session, transaction, 'LOCAL_ERROR');
        refuse(session, 'LOCAL_ERROR', error, callback);
      },
    );
  };

  const onClose = (session: SMTPServerSession): void => {
    const open = book.get(session.id);
    if (open !== undefined) logTransaction(session, open, 'abandoned');
    book.end(session.id);
  };

  return { onMailFrom, onRcptTo, onData, onClose };
}

/** RFC 1870 5: MAIL FROM's SIZE= (smtp-server has checked it against the fixed limit). */
function declaredSizeOf(session: SMTPServerSession): number | undefined {
  const from = session.envelope.mailFrom;
  const args = from === false ? undefined : (from.args as Record<string, unknown> | false | undefined);
  const size = args ? args['SIZE'] : undefined;
  return typeof size === 'string' && /^\d{1,15}$/.test(size) ? Number(size) : undefined;
}

interface DataOutcome {
  reply: ReplyName;
  /** Octets received in DATA (before our trace headers). */
  size: number;
  result: string;
  error?: unknown;
  log: object;
}

/** Reads DATA, adds the trace headers and commits; the outcome says which reply to send. */
async function receiveAndDeliver(
  context: TransactionContext,
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
  transaction: Transaction,
): Promise<DataOutcome> {
  const collected = await collectMessage(
    stream,
    context.maxMessageSize,
    context.messageBudget,
    context.spool ?? null,
  );
  const recorder = context.recordings?.get(session.id);
  if (recorder !== undefined) {
    if (collected.data !== null) recordBodyPreview(recorder, 'C', collected.data);
    else if (collected.spooled !== null)
      recorder.note(`[message body, ${collected.size} octets, spooled to a file, not kept]`);
    else recorder.note(`[message body, ${collected.size} octets, not kept]`);
    recorder.client('.');
  }
  try {
    return await deliverCollected(context, collected, session, transaction);
  } finally {
    // Stored or refused, this message's bytes are no longer held: budget share and spool file.
    collected.discard();
  }
}

/** The message as the checks and the store take it: in memory, or its spool file's parts. */
type Received =
  { kind: 'memory'; message: Buffer } | { kind: 'spooled'; source: SpooledSource; size: number };

async function deliverCollected(
  context: TransactionContext,
  collected: CollectedMessage,
  session: SMTPServerSession,
  transaction: Transaction,
): Promise<DataOutcome> {
  if (collected.overBudget || collected.spoolFailed) {
    // RFC 3463 4.3.1: the system has no room right now (memory, or disk for the spool); the
    // client keeps the message and retries.
    const reply = collected.overBudget ? 'OVER_BUDGET' : 'SPOOL_FAILED';
    return {
      reply,
      result: reply,
      size: collected.size,
      // A full or failing spool disk is the operator's to fix: refuse() logs it with its cause.
      ...(collected.spoolFailed ? { error: collected.spoolError } : {}),
      log: { size: collected.size },
    };
  }
  const received: Received | null =
    collected.data !== null
      ? { kind: 'memory', message: collected.data }
      : collected.spooled !== null
        ? {
            kind: 'spooled',
            source: { path: collected.spooled.path, head: Buffer.alloc(0), offset: 0 },
            size: collected.spooled.size,
          }
        : null;
  if (received === null) {
    // RFC 1870 6.1: too big; nothing was kept, nothing is stored.
    return {
      reply: 'MESSAGE_TOO_BIG',
      result: 'MESSAGE_TOO_BIG',
      size: collected.size,
      log: { size: collected.size },
    };
  }
  const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address);
  const plans: RecipientPlan[] = [];
  for (const address of recipients) {
    const plan = transaction.plans.get(address.toLowerCase());
    if (plan === undefined) {
      return {
        reply: 'LOCAL_ERROR',
        result: 'LOCAL_ERROR',
        size: collected.size,
        error: new Error(`no plan for <${address}>`),
        log: {},
      };
    }
    plans.push(plan);
  }
  const user = sessionUser(session);
  let headerBlock: HeaderBlock;
  try {
    headerBlock =
      received.kind === 'memory'
        ? { bytes: received.message, complete: true }
        : await readHeaderBlock(received.source.path, received.size);
  } catch (error) {
    return { reply: 'LOCAL_ERROR', result: 'LOCAL_ERROR', size: collected.size, error, log: {} };
  }
  const headerSender = await checkHeaderSenders(context, user, headerBlock.bytes);
  if (headerSender !== null) return { ...headerSender, size: collected.size };
  const auth = await authenticateInbound(
    context,
    received.kind === 'memory'
      ? { kind: 'memory', message: normalizeLineEndings(received.message) }
      : received,
    headerBlock,
    session,
    transaction,
  );
  if (auth.reject) {
    return {
      reply: 'DMARC_REJECTED',
      result: 'DMARC_REJECTED',
      size: collected.size,
      log: { size: collected.size, authResults: auth.summary },
    };
  }
  // Rspamd and a "delivered" DSN need the message's bytes: a spooled one is read into memory
  // (bounded by the size limit it was spooled under) only when one of them asks, and only once.
  const bytes = messageBytes(auth.received);
  let spam: SpamOutcome;
  try {
    spam = await askRspamd(context, bytes, session, transaction, recipients);
  } catch (error) {
    return { reply: 'LOCAL_ERROR', result: 'LOCAL_ERROR', size: collected.size, error, log: {} };
  }
  if (spam.reply !== null) {
    return {
      reply: spam.reply,
      result: spam.reply,
      size: collected.size,
      log: { size: collected.size, ...spam.log },
    };
  }
  // RFC 8601 5: Authentication-Results goes at the top, above the message's own fields.
  const traceHeaders =
    returnPathHeader(transaction.from) +
    spam.headers +
    auth.headers +
    receivedHeader({
      heloName: session.hostNameAppearsAs,
      remoteAddress: session.remoteAddress,
      hostname: context.hostname,
      esmtp: session.openingCommand === 'EHLO',
      secure: session.secure,
      authenticated: user !== null,
      id: session.id,
      singleRecipient: recipients.length === 1 ? (recipients[0] ?? null) : null,
      date: new Date(),
    });
  let result: DeliveryResult;
  const dsn = dsnByRecipient(session);
  try {
    result = await deliverMessage({
      store: context.store,
      traceHeaders,
      message: auth.received.kind === 'memory' ? auth.received.message : auth.received.source,
      sender: transaction.from,
      plan: mergePlans(plans),
      sieve: context.sieve ? { options: context.sieve, profile: context.profile } : null,
      junk: spam.junk,
      dsn,
    });
  } catch (error) {
    if (error instanceof StoreError && error.code === 'OVER_QUOTA') {
      // RFC 5321 4.2.2 552 + RFC 3463 5.2.2: this message would pass the quota of everyone it is
      // for; the store refused it inside its transaction, so nothing was stored.
      return {
        reply: 'OVER_QUOTA',
        result: 'OVER_QUOTA',
        size: collected.size,
        log: { size: collected.size },
      };
    }
    // RFC 5321 4.2.3 451: the client keeps the message; deliver() is one transaction, so
    // nothing of it was stored.
    return {
      reply: 'LOCAL_ERROR',
      result: 'LOCAL_ERROR',
      size: collected.size,
      error,
      log: { size: collected.size },
    };
  }
  const overQuota = await bounceOverQuota(context, session, transaction, recipients, result, bytes, dsn);
  // RFC 3461 NOTIFY=SUCCESS: a delivered notice for the recipients that got the message (not
  // those over quota, who got the failure above).
  const missed = new Set(overQuota.map((address) => address.toLowerCase()));
  const reached = recipients.filter((address) => !missed.has(address.toLowerCase()));
  const reachedPlans = plans.filter((_, i) => !missed.has((recipients[i] ?? '').toLowerCase()));
  await deliveredNotices(context, session, transaction.from, reached, reachedPlans, dsn, bytes);
  const recorder = context.recordings?.get(session.id);
  if (recorder !== undefined) {
    recorder.note(
      `[stored durably: sha256 ${result.bodyHash}; ${result.copies.length} local ${result.copies.length === 1 ? 'copy' : 'copies'}, ${result.queued.length} queued for relay${overQuota.length > 0 ? `; over quota: ${overQuota.join(', ')}` : ''}]`,
    );
    for (const copy of result.copies) recorder.link(copy.mailboxId, copy.uid, 'delivered');
  }
  return {
    reply: 'DELIVERED',
    result: 'delivered',
    size: collected.size,
    log: {
      size: collected.size,
      ...(auth.summary !== null ? { authResults: auth.summary } : {}),
      ...(received.kind === 'spooled' ? { spooled: true } : {}),
      ...spam.log,
      copies: result.copies.length,
      queued: result.queued.length,
      bodyHash: result.bodyHash,
      ...(overQuota.length > 0 ? { overQuota } : {}),
    },
  };
}

/**
 * Issue 18: after DATA there is one reply for every recipient (RFC 5321 3.3), so when the message
 * fits some recipients' quotas and not others', it is stored for those it fits (250) and the
 * sender gets a bounce (RFC 3464, status 5.2.2) naming the recipients it did not reach, as an LMTP
 * delivery behind Postfix would. Returns those recipients. A failing bounce is logged: the 250
 * stands for the copies that were stored.
 */
async function bounceOverQuota(
  context: TransactionContext,
  session: SMTPServerSession,
  transaction: Transaction,
  recipients: readonly string[],
  result: DeliveryResult,
  message: () => Promise<Buffer>,
  dsn: ReadonlyMap<string, OutboundDsn>,
): Promise<string[]> {
  const over = new Set(result.overQuota ?? []);
  if (over.size === 0) return [];
  const missed = recipients.filter((address) => {
    const plan = transaction.plans.get(address.toLowerCase());
    return (
      plan !== undefined &&
      plan.create.length === 0 &&
      plan.relay.length === 0 &&
      plan.userIds.length > 0 &&
      plan.userIds.every((id) => over.has(id))
    );
  });
  if (missed.length === 0) return [];
  // RFC 3461 4.1: NOTIFY without FAILURE (or NEVER) asks for no failure report; ORCPT and ENVID
  // are echoed (RFC 3464). The null sender never gets one.
  const told = missed.filter((address) => {
    const notify = dsn.get(address.toLowerCase())?.notify;
    return notify === undefined || notify.includes('FAILURE');
  });
  if (told.length === 0 || transaction.from === '') return missed;
  const envid = dsn.get(recipients[0]?.toLowerCase() ?? '')?.envid;
  try {
    await sendBounce({
      store: context.store,
      hostname: context.hostname,
      sender: transaction.from,
      recipients: told.map((address) => {
        const orcpt = dsn.get(address.toLowerCase())?.orcpt;
        return {
          address,
          action: 'failed' as const,
          status: REPLIES.OVER_QUOTA.enhanced,
          diagnostic: `smtp; ${REPLIES.OVER_QUOTA.code} ${replyText('OVER_QUOTA')}`,
          ...(orcpt !== undefined ? { originalRecipient: orcpt } : {}),
        };
      }),
      original: await message(),
      arrivalDate: new Date(transaction.startedAt),
      ...(envid !== undefined ? { envid } : {}),
    });
  } catch (error) {
    context.logger.error({ cid: session.id, err: error, recipients: missed }, 'over-quota bounce failed');
  }
  return missed;
}

/** The start of a message, up to and including its header section when `complete`. */
interface HeaderBlock {
  bytes: Buffer;
  /** True when `bytes` holds the whole header section (it ends in the blank line, or is the whole message). */
  complete: boolean;
}

/** How far into a spooled message its header section is looked for. */
const SPOOLED_HEADER_WINDOW = 1024 * 1024;

/**
 * Reads a spooled message's header section (RFC 5322 2.1: up to the first empty line), at most
 * SPOOLED_HEADER_WINDOW octets, without reading the body into memory.
 */
async function readHeaderBlock(path: string, size: number): Promise<HeaderBlock> {
  const file = await open(path, 'r');
  try {
    const window = Buffer.alloc(Math.min(size, SPOOLED_HEADER_WINDOW));
    let filled = 0;
    while (filled < window.length) {
      const { bytesRead } = await file.read(window, filled, window.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const bytes = window.subarray(0, filled);
    const blank = bytes.indexOf('\r\n\r\n');
    if (blank !== -1) return { bytes: bytes.subarray(0, blank + 4), complete: true };
    return { bytes, complete: filled === size };
  } finally {
    await file.close();
  }
}

/**
 * MX with checks on: runs SPF/DKIM/DMARC/ARC on the message as the client sent it. A failure
 * of the checks themselves must not lose or refuse mail: it is logged and the message is stored
 * without an Authentication-Results field (which receivers treat as "not checked").
 */
/**
 * RFC 6409 6.1: in production a submitted message's From: and Sender: must name the user's own
 * addresses, as MAIL FROM must (issue 11); null when they do (or the check does not apply).
 */
async function checkHeaderSenders(
  context: TransactionContext,
  user: { id: number } | null,
  message: Buffer,
): Promise<Omit<DataOutcome, 'size'> | null> {
  if (context.kind !== 'submission' || context.profile !== 'production' || user === null) return null;
  if (context.allowAnyHeaderSender) return null;
  const named = originatorAddresses(message);
  if (named.length === 0) return null;
  let own: Set<string>;
  try {
    own = new Set((await context.store.sendableAddresses(user.id)).map((address) => address.toLowerCase()));
  } catch (error) {
    return { reply: 'LOCAL_ERROR', result: 'LOCAL_ERROR', error, log: {} };
  }
  const foreign = named.filter((address) => !own.has(address));
  if (foreign.length === 0) return null;
  return {
    reply: 'HEADER_SENDER_NOT_OWNED',
    result: 'HEADER_SENDER_NOT_OWNED',
    log: { headerSenders: foreign },
  };
}

async function authenticateInbound(
  context: TransactionContext,
  received: Received,
  headerBlock: HeaderBlock,
  session: SMTPServerSession,
  transaction: Transaction,
): Promise<{ received: Received; headers: string; reject: boolean; summary: object | null }> {
  const options = context.inboundAuth;
  if (context.kind !== 'mx' || options === undefined || options === null) {
    return { received, headers: '', reject: false, summary: null };
  }
  // RFC 8601 5: results claiming to be ours were not made by us; drop them before checking.
  let cleaned: Received;
  if (received.kind === 'memory') {
    cleaned = { kind: 'memory', message: removeForgedResults(received.message, context.hostname) };
  } else if (!headerBlock.complete) {
    // A header section longer than the window is passed on as it is (and checked as it is).
    cleaned = received;
  } else {
    // Only the header section is rewritten: the body stays in the file, read from past the header.
    const header = removeForgedResults(
      headerBlock.bytes.subarray(0, headerBlock.bytes.length - 2),
      context.hostname,
    );
    cleaned =
      header.length === headerBlock.bytes.length - 2
        ? received
        : {
            kind: 'spooled',
            source: { path: received.source.path, head: header, offset: headerBlock.bytes.length - 2 },
            size: header.length + received.size - (headerBlock.bytes.length - 2),
          };
  }
  try {
    const verdict = await checkInbound(
      cleaned.kind === 'memory' ? cleaned.message : spooledStream(cleaned.source),
      { ip: session.remoteAddress, helo: session.hostNameAppearsAs, sender: transaction.from },
      context.hostname,
      options,
    );
    return { received: cleaned, ...verdict };
  } catch (error) {
    context.logger.warn({ cid: session.id, err: error }, 'inbound authentication checks failed');
    return { received: cleaned, headers: '', reject: false, summary: null };
  }
}

/** A spooled message as a stream (its head, then the file from its offset), for the checks. */
function spooledStream(source: SpooledSource): Readable {
  return Readable.from(
    (async function* () {
      if (source.head.length > 0) yield source.head;
      yield* createReadStream(source.path, { start: source.offset });
    })(),
  );
}

/** MX with Rspamd configured: its verdict for this message; otherwise nothing to add. */
async function askRspamd(
  context: TransactionContext,
  message: () => Promise<Buffer>,
  session: SMTPServerSession,
  transaction: Transaction,
  recipients: string[],
): Promise<SpamOutcome> {
  const options = context.rspamd;
  if (context.kind !== 'mx' || !options) return { reply: null, headers: '', junk: false, log: {} };
  return checkSpam(options, {
    raw: await message(),
    ip: session.remoteAddress,
    helo: session.hostNameAppearsAs || null,
    from: transaction.from,
    recipients,
    user: sessionUser(session)?.address ?? null,
    queueId: session.id,
  });
}

/**
 * RFC 3461 NOTIFY=SUCCESS for a recipient delivered here: a "delivered" DSN (RFC 3464) to the
 * sender, after the message is stored. A failure to send it is logged; the delivery stands.
 */
async function deliveredNotices(
  context: TransactionContext,
  session: SMTPServerSession,
  sender: string,
  recipients: string[],
  plans: RecipientPlan[],
  dsn: ReadonlyMap<string, OutboundDsn>,
  message: () => Promise<Buffer>,
): Promise<void> {
  const lines: DsnRecipient[] = [];
  recipients.forEach((address, i) => {
    const plan = plans[i];
    const params = dsn.get(address.toLowerCase());
    if (plan === undefined || params?.notify?.includes('SUCCESS') !== true) return;
    if (plan.userIds.length + plan.create.length === 0) return;
    lines.push({
      address,
      action: 'delivered',
      status: '2.0.0',
      diagnostic: '250 2.0.0 delivered to the mailbox',
      ...(params.orcpt !== undefined ? { originalRecipient: params.orcpt } : {}),
    });
  });
  if (lines.length === 0 || sender === '') return;
  const envid = dsn.get(recipients[0]?.toLowerCase() ?? '')?.envid;
  try {
    await sendBounce({
      store: context.store,
      hostname: context.hostname,
      sender,
      recipients: lines,
      original: await message(),
      arrivalDate: new Date(),
      ...(envid !== undefined ? { envid } : {}),
    });
  } catch (error) {
    context.logger.warn({ err: error, cid: session.id }, 'dsn: the delivered notice could not be stored');
  }
}

/** The received message's bytes, read (a spooled one from its file) on the first call only. */
function messageBytes(received: Received): () => Promise<Buffer> {
  let bytes: Promise<Buffer> | null = null;
  return () => {
    bytes ??= received.kind === 'memory' ? Promise.resolve(received.message) : spooledBytes(received.source);
    return bytes;
  };
}
