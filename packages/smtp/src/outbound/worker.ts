import type { Logger } from 'pino';
import type { MailStore, OutboundEntry } from '@minimail/store';
import { sendBounce } from './bounce.js';
import { signMessage } from './dkim-sign.js';
import type { DsnRecipient } from './dsn.js';
import {
  DEFAULT_CLAIM_BATCH,
  DEFAULT_PER_DOMAIN_CONNECTIONS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_TOTAL_CONNECTIONS,
  MAX_RECIPIENTS_PER_TRANSACTION,
  STOP_GRACE_MS,
} from './limits.js';
import { domainOf, fromHeaderDomain, stripReturnPath } from './message-prep.js';
import { lookupDestination, RouteError } from './mx-lookup.js';
import type { DnsResolver } from './resolver.js';
import {
  DEFAULT_RETRY_SCHEDULE,
  delayNoticeDue,
  nextAttemptAt,
  type RetrySchedule,
} from './retry-schedule.js';
import {
  sendOverSmtp,
  SmtpSendError,
  type SendOutcome,
  type SmtpTarget,
  type TlsMode,
} from './smtp-client.js';
import { Slots } from './slots.js';

/** Smarthost mode: everything goes to this one server instead of the recipients' MX hosts. */
export interface SmarthostOptions {
  host: string;
  port: number;
  tls: Exclude<TlsMode, 'opportunistic'>;
  /** Check the smarthost's certificate (default true: we send it our password). */
  verifyCertificate?: boolean;
  auth?: { user: string; pass: string };
}

export interface RelayWorkerOptions {
  store: MailStore;
  logger: Logger;
  /** Our host name: EHLO, Reporting-MTA of DSNs, MAILER-DAEMON's domain. */
  hostname: string;
  /** MX/A/AAAA lookups; never used in smarthost mode. */
  resolver: DnsResolver;
  smarthost?: SmarthostOptions | null;
  /** Port of remote MX hosts: 25 (RFC 5321 4.5.4); tests point it at a loopback stand-in. */
  mxPort?: number;
  retry?: Partial<RetrySchedule>;
  pollIntervalMs?: number;
  /** How long a claimed entry belongs to this worker before another may take it (crash recovery). */
  leaseMs?: number;
  claimBatch?: number;
  perDomainConnections?: number;
  totalConnections?: number;
  /** How long stop() waits for deliveries in progress; default STOP_GRACE_MS. */
  stopGraceMs?: number;
}

export interface RelayWorker {
  /** Starts polling the queue in the background. */
  start(): void;
  /**
   * Stops claiming and waits (up to `stopGraceMs`) for deliveries in progress to record their
   * outcome; any still running then are left to their lease and retried by the next worker.
   */
  stop(): Promise<void>;
  /** One round: claims what is due and delivers it; resolves when all of it is settled. */
  runOnce(): Promise<number>;
}

/** Entries that go in one SMTP transaction: same body, same sender, same destination domain. */
interface Group {
  domain: string;
  sender: string;
  bodyHash: string;
  entries: OutboundEntry[];
}

/** What became of each entry of a group after one attempt. */
type Verdict =
  | { kind: 'delivered' }
  | { kind: 'temporary'; diagnostic: string; remoteMta?: string }
  | { kind: 'permanent'; status: string; diagnostic: string; remoteMta?: string };

/**
 * The delivery worker over the store's outbound queue. At-least-once: an entry leaves the queue
 * only after the remote server answered 250 to its DATA (or after its DSN is durably stored), and
 * a worker that dies mid-delivery leaves a lease that expires, so another run retries the entry.
 * Several processes may run workers on one data dir; claims are atomic in the store.
 */
export function createRelayWorker(options: RelayWorkerOptions): RelayWorker {
  const { store, logger } = options;
  const schedule: RetrySchedule = { ...DEFAULT_RETRY_SCHEDULE, ...options.retry };
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const claimBatch = options.claimBatch ?? DEFAULT_CLAIM_BATCH;
  const perDomain = new Slots(options.perDomainConnections ?? DEFAULT_PER_DOMAIN_CONNECTIONS);
  const totalLimit = options.totalConnections ?? DEFAULT_TOTAL_CONNECTIONS;
  const total = new Slots(totalLimit);
  const inFlight = new Set<Promise<void>>();
  let running = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  /** Claims due entries and starts their groups; returns how many entries were claimed. */
  const dispatch = async (): Promise<{ claimed: number; settled: Promise<void> }> => {
    const entries = await store.claimOutbound(claimBatch, options.leaseMs);
    const started = groupEntries(entries).map((group) => {
      const work = deliverGroup(group).catch((error: unknown) => {
        // deliverGroup records every outcome itself; reaching here means the store failed. The
        // lease will expire and the entries be retried: logged, never lost.
        logger.error(
          { err: error, domain: group.domain, ids: ids(group) },
          'relay: recording an outcome failed',
        );
      });
      const tracked = work.finally(() => {
        inFlight.delete(tracked);
        wake?.();
      });
      inFlight.add(tracked);
      return tracked;
    });
    return { claimed: entries.length, settled: Promise.all(started).then(() => undefined) };
  };

  const deliverGroup = async (group: Group): Promise<void> => {
    const releaseDomain = await perDomain.acquire(group.domain);
    const releaseTotal = await total.acquire('all');
    try {
      const verdicts = await attempt(group);
      await record(group, verdicts);
    } finally {
      releaseTotal();
      releaseDomain();
    }
  };

  /** One delivery attempt of a group; a verdict per recipient address. */
  const attempt = async (group: Group): Promise<Map<string, Verdict>> => {
    const recipients = group.entries.map((entry) => entry.recipient);
    const all = (verdict: Verdict): Map<string, Verdict> =>
      new Map(recipients.map((recipient) => [recipient, verdict]));
    let message: Buffer;
    try {
      message = await prepareMessage(group);
    } catch (error) {
      logger.error({ err: error, domain: group.domain }, 'relay: preparing the message failed');
      return all({ kind: 'temporary', diagnostic: `local error preparing the message: ${errorText(error)}` });
    }
    let targets: Array<SmtpTarget & { mta: string }>;
    try {
      targets = await routeTargets(group.domain);
    } catch (error) {
      if (error instanceof RouteError) {
        return all(
          error.permanent
            ? { kind: 'permanent', status: error.status, diagnostic: error.message }
            : { kind: 'temporary', diagnostic: error.message },
        );
      }
      throw error;
    }
    let last: Verdict = { kind: 'temporary', diagnostic: 'no host to try' };
    for (const target of targets) {
      let outcome: SendOutcome;
      try {
        outcome = await sendOverSmtp(target, {
          heloName: options.hostname,
          sender: group.sender,
          recipients,
          message,
        });
      } catch (error) {
        if (!(error instanceof SmtpSendError)) throw error;
        logger.warn(
          { domain: group.domain, host: target.mta, address: target.host, code: error.code, err: error },
          'relay: attempt failed',
        );
        // RFC 5321 5.1: a permanent reply is final; anything else, try the next host.
        if (error.permanent) {
          return all({
            kind: 'permanent',
            status: enhancedStatus(error.diagnostic, error.code ?? 550),
            diagnostic: error.diagnostic,
            remoteMta: target.mta,
          });
        }
        last = { kind: 'temporary', diagnostic: error.diagnostic, remoteMta: target.mta };
        continue;
      }
      return perRecipient(outcome, recipients, target.mta);
    }
    return all(last);
  };

  /** The message as it goes out: our Return-Path removed, DKIM-signed when we hold a key. */
  const prepareMessage = async (group: Group): Promise<Buffer> => {
    const message = stripReturnPath(await store.readBody(group.bodyHash));
    // Sign as the From domain (what DMARC aligns with), else as the envelope sender's domain.
    const candidates = [fromHeaderDomain(message), group.sender === '' ? null : domainOf(group.sender)];
    for (const domain of candidates) {
      if (domain === null) continue;
      const key = await store.getDkimKey(domain);
      if (key !== null) return signMessage(message, key);
    }
    return message;
  };

  const routeTargets = async (domain: string): Promise<Array<SmtpTarget & { mta: string }>> => {
    const smarthost = options.smarthost;
    if (smarthost !== undefined && smarthost !== null) {
      return [
        {
          host: smarthost.host,
          port: smarthost.port,
          servername: smarthost.host,
          tls: smarthost.tls,
          verifyCertificate: smarthost.verifyCertificate ?? true,
          ...(smarthost.auth !== undefined ? { auth: smarthost.auth } : {}),
          mta: smarthost.host,
        },
      ];
    }
    const hosts = await lookupDestination(domain, options.resolver);
    return hosts.flatMap((host) =>
      host.addresses.map((address) => ({
        host: address,
        port: options.mxPort ?? 25,
        servername: host.name,
        tls: 'opportunistic' as const,
        verifyCertificate: false,
        mta: host.name,
      })),
    );
  };

  /** Stores each verdict: delivered -> gone; temporary -> retry or expire; permanent -> DSN. */
  const record = async (group: Group, verdicts: Map<string, Verdict>): Promise<void> => {
    const now = new Date();
    const bounces: Array<{ entry: OutboundEntry; recipient: DsnRecipient }> = [];
    const delays: Array<{ entry: OutboundEntry; recipient: DsnRecipient }> = [];
    for (const entry of group.entries) {
      const verdict = verdicts.get(entry.recipient) ?? { kind: 'temporary', diagnostic: 'no reply recorded' };
      if (verdict.kind === 'delivered') {
        await store.completeOutbound(entry.id);
        logger.info(
          { id: entry.id, recipient: entry.recipient, attempts: entry.attempts },
          'relay: delivered',
        );
        continue;
      }
      const remote = verdict.remoteMta !== undefined ? { remoteMta: verdict.remoteMta } : {};
      if (verdict.kind === 'temporary') {
        const next = nextAttemptAt(schedule, entry, now);
        if (next !== null) {
          await store.rescheduleOutbound(entry.id, next, verdict.diagnostic);
          logger.info(
            {
              id: entry.id,
              recipient: entry.recipient,
              attempts: entry.attempts,
              next,
              error: verdict.diagnostic,
            },
            'relay: deferred',
          );
          if (delayNoticeDue(schedule, entry, now)) {
            delays.push({
              entry,
              recipient: {
                address: entry.recipient,
                action: 'delayed',
                status: enhancedStatus(verdict.diagnostic, 451),
                diagnostic: verdict.diagnostic,
                ...remote,
              },
            });
          }
          continue;
        }
        // RFC 5321 4.5.4.1: given up after the queue lifetime; the DSN says so.
        bounces.push({
          entry,
          recipient: {
            address: entry.recipient,
            action: 'failed',
            status: '4.4.7',
            diagnostic: `gave up after ${entry.attempts} attempts: ${verdict.diagnostic}`,
            ...remote,
          },
        });
        continue;
      }
      bounces.push({
        entry,
        recipient: {
          address: entry.recipient,
          action: 'failed',
          status: verdict.status,
          diagnostic: verdict.diagnostic,
          ...remote,
        },
      });
    }
    if (delays.length > 0) await notify(group, delays, 'delay');
    if (bounces.length > 0) await notify(group, bounces, 'bounce');
  };

  /** One DSN for the group's failed (or delayed) recipients, then marks their entries. */
  const notify = async (
    group: Group,
    items: Array<{ entry: OutboundEntry; recipient: DsnRecipient }>,
    kind: 'bounce' | 'delay',
  ): Promise<void> => {
    const first = items[0]!.entry;
    const outcome = await sendBounce({
      store,
      hostname: options.hostname,
      sender: group.sender,
      recipients: items.map((item) => item.recipient),
      original: await store.readBody(group.bodyHash),
      arrivalDate: first.createdAt,
    });
    for (const { entry, recipient } of items) {
      // The DSN is stored before the entry changes: a crash in between repeats the DSN, never loses it.
      if (kind === 'delay') await store.markOutboundDelayNotified(entry.id);
      else await store.failOutbound(entry.id, recipient.diagnostic);
    }
    logger.info(
      { ids: items.map((item) => item.entry.id), sender: group.sender, dsn: outcome, kind },
      kind === 'bounce' ? 'relay: bounced' : 'relay: delay notice',
    );
  };

  const runOnce = async (): Promise<number> => {
    const { claimed, settled } = await dispatch();
    await settled;
    return claimed;
  };

  const run = async (): Promise<void> => {
    while (running) {
      let claimed = 0;
      try {
        claimed = (await dispatch()).claimed;
      } catch (error) {
        logger.error({ err: error }, 'relay: claiming due entries failed');
      }
      if (!running) break;
      // Nothing due, or every connection busy: wait a poll interval (a finished delivery or
      // stop() wakes us sooner), so claimed entries never sit waiting while their lease runs.
      if (claimed === 0 || inFlight.size >= totalLimit) await sleep(pollIntervalMs);
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      loop = null;
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.stopGraceMs ?? STOP_GRACE_MS);
      });
      await Promise.race([Promise.allSettled([...inFlight]), grace]);
      clearTimeout(timer);
      if (inFlight.size > 0) {
        logger.warn(
          { deliveries: inFlight.size },
          'relay: stopped with deliveries in progress; they will be retried',
        );
      }
    },
    runOnce,
  };
}

/** Groups entries per destination domain, sender and body, at most 100 recipients each. */
function groupEntries(entries: OutboundEntry[]): Group[] {
  const groups = new Map<string, Group>();
  const result: Group[] = [];
  for (const entry of entries) {
    const domain = domainOf(entry.recipient);
    const key = `${domain}\u0000${entry.sender}\u0000${entry.bodyHash}`;
    let group = groups.get(key);
    if (group === undefined || group.entries.length >= MAX_RECIPIENTS_PER_TRANSACTION) {
      group = { domain, sender: entry.sender, bodyHash: entry.bodyHash, entries: [] };
      groups.set(key, group);
      result.push(group);
    }
    group.entries.push(entry);
  }
  return result;
}

/** Verdicts from a transaction the server took: accepted, or refused per RCPT reply class. */
function perRecipient(outcome: SendOutcome, recipients: string[], mta: string): Map<string, Verdict> {
  const verdicts = new Map<string, Verdict>();
  const accepted = new Set(outcome.accepted.map((address) => address.toLowerCase()));
  const refused = new Map(outcome.rejected.map((rejection) => [rejection.address.toLowerCase(), rejection]));
  for (const recipient of recipients) {
    const rejection = refused.get(recipient.toLowerCase());
    if (accepted.has(recipient.toLowerCase()) && rejection === undefined) {
      verdicts.set(recipient, { kind: 'delivered' });
    } else if (rejection !== undefined && rejection.code >= 500) {
      verdicts.set(recipient, {
        kind: 'permanent',
        status: enhancedStatus(rejection.reply, rejection.code),
        diagnostic: rejection.reply,
        remoteMta: mta,
      });
    } else {
      verdicts.set(recipient, {
        kind: 'temporary',
        diagnostic: rejection?.reply ?? 'recipient not confirmed by the server',
        remoteMta: mta,
      });
    }
  }
  return verdicts;
}

/** RFC 3463 codes for replies that carry none, where the reply code alone says what went wrong. */
const STATUS_BY_REPLY_CODE: Record<number, string> = {
  /** RFC 1870 6.1: message too big for the server. */
  552: '5.3.4',
  /** RFC 5321 4.2.2: insufficient system storage. */
  452: '4.3.1',
  /** RFC 5321 4.2.2: service not available, closing (4.4.2: connection dropped). */
  421: '4.4.2',
};

/** The RFC 3463 code in a reply (`550 5.1.1 ...`), else one for the reply code or its class. */
function enhancedStatus(reply: string, code: number): string {
  const found = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply)?.[1];
  if (found !== undefined) return found;
  return STATUS_BY_REPLY_CODE[code] ?? (code >= 500 ? '5.0.0' : '4.0.0');
}

function ids(group: Group): number[] {
  return group.entries.map((entry) => entry.id);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
