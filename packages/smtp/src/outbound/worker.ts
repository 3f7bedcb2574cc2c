import type { Logger } from 'pino';
import type { RelayStore } from '@minimail/store';
import { attemptDelivery } from './attempt.js';
import { MtaStsPolicies, parseTlsRptRecord, TlsReportCollector, tlsReportMessage } from './mta-sts/index.js';
import type { RelayContext, SmarthostOptions } from './context.js';
import { groupEntries, type Group } from './grouping.js';
import {
  DEFAULT_CLAIM_BATCH,
  DEFAULT_PER_DOMAIN_CONNECTIONS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_TOTAL_CONNECTIONS,
  STOP_GRACE_MS,
} from './limits.js';
import { recordOutcomes } from './outcomes.js';
import type { DnsResolver } from './resolver.js';
import { DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from './retry-schedule.js';
import { Slots } from './slots.js';

export type { SmarthostOptions } from './context.js';

export interface RelayWorkerOptions {
  store: RelayStore;
  logger: Logger;
  /** Our host name: EHLO, Reporting-MTA of DSNs, MAILER-DAEMON's domain. */
  hostname: string;
  /** MX/A/AAAA lookups; never used in smarthost mode. */
  resolver: DnsResolver;
  smarthost?: SmarthostOptions | null;
  /** Port of remote MX hosts: 25 (RFC 5321 4.5.4); tests point it at a loopback stand-in. */
  mxPort?: number;
  /**
   * Connect to MX addresses that are loopback, private, link-local or our own. Never in
   * production: tests with a loopback stand-in MX only (default false, issue 11).
   */
  allowPrivateDestinations?: boolean;
  retry?: Partial<RetrySchedule>;
  pollIntervalMs?: number;
  /** How long a claimed entry belongs to this worker before another may take it (crash recovery). */
  leaseMs?: number;
  claimBatch?: number;
  perDomainConnections?: number;
  totalConnections?: number;
  /** How long stop() waits for deliveries in progress; default STOP_GRACE_MS. */
  stopGraceMs?: number;
  /**
   * MTA-STS (RFC 8461) for MX delivery: on unless false. `port` of the policy host (443; tests:
   * a loopback stand-in) and `ca` to trust instead of the system's (tests).
   */
  mtaSts?: false | { port?: number; ca?: string | string[]; timeoutMs?: number };
  /** Trusted CAs for verified MX TLS under an MTA-STS policy (tests only; default: the system's). */
  mxCa?: string | string[];
  /**
   * TLS-RPT (RFC 8460): who we are in reports, and how often they are sent (default daily) to
   * the `rua` mailto: addresses a domain's `_smtp._tls` TXT record names. Unset: no reports.
   */
  tlsReporting?: { organization: string; contact: string; intervalMs?: number };
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
  /**
   * Queues the TLS-RPT reports of the period so far (one per policy domain that asks for them)
   * and starts a new period; returns the queue ids. The worker does this every interval.
   */
  sendTlsReports(now?: number): Promise<number[]>;
}

/**
 * The delivery worker over the store's outbound queue. At-least-once: an entry leaves the queue
 * only after the remote server answered 250 to its DATA (or after its DSN is durably stored), and
 * a worker that dies mid-delivery leaves a lease that expires, so another run retries the entry.
 * Several processes may run workers on one data dir; claims are atomic in the store.
 */
export function createRelayWorker(options: RelayWorkerOptions): RelayWorker {
  const { store, logger } = options;
  const context: RelayContext = {
    store,
    logger,
    hostname: options.hostname,
    resolver: options.resolver,
    smarthost: options.smarthost ?? null,
    mxPort: options.mxPort ?? 25,
    allowPrivateDestinations: options.allowPrivateDestinations ?? false,
    schedule: { ...DEFAULT_RETRY_SCHEDULE, ...options.retry },
    mtaSts: null,
    tlsReports: options.tlsReporting === undefined ? null : new TlsReportCollector(),
    ...(options.mxCa !== undefined ? { mxCa: options.mxCa } : {}),
  };
  if (options.mtaSts !== false && context.smarthost === null) {
    const sts = options.mtaSts ?? {};
    context.mtaSts = new MtaStsPolicies(options.resolver, {
      port: sts.port ?? 443,
      ...(sts.ca !== undefined ? { ca: sts.ca } : {}),
      ...(sts.timeoutMs !== undefined ? { timeoutMs: sts.timeoutMs } : {}),
      ...(context.tlsReports !== null ? { reports: context.tlsReports } : {}),
    });
  }
  let reportTimer: NodeJS.Timeout | null = null;
  const sendTlsReports = async (now: number = Date.now()): Promise<number[]> => {
    const reporting = options.tlsReporting;
    if (context.tlsReports === null || reporting === undefined) return [];
    const queued: number[] = [];
    for (const { domain, report } of context.tlsReports.take(now, reporting)) {
      let rua: string[];
      try {
        rua = parseTlsRptRecord(await options.resolver.resolveTxt(`_smtp._tls.${domain}`));
      } catch {
        rua = [];
      }
      if (rua.length === 0) continue;
      const raw = tlsReportMessage(report, {
        domain,
        from: `TLS reports <postmaster@${options.hostname}>`,
        submitter: options.hostname,
        to: rua,
        date: new Date(now),
      });
      // The null reverse path: a report must not bounce back into another report (RFC 8460 5.3).
      const result = await store.deliver({ raw, targets: [], outbound: { sender: '', recipients: rua } });
      queued.push(...result.queued);
      logger.info({ domain, rua }, 'relay: TLS-RPT report queued');
    }
    return queued;
  };
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
      const verdicts = await attemptDelivery(context, group);
      await recordOutcomes(context, group, verdicts);
    } finally {
      releaseTotal();
      releaseDomain();
    }
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
      if (options.tlsReporting !== undefined) {
        reportTimer = setInterval(() => {
          sendTlsReports().catch((error: unknown) =>
            logger.error({ err: error }, 'relay: queuing TLS-RPT reports failed'),
          );
        }, options.tlsReporting.intervalMs ?? TLS_REPORT_INTERVAL_MS);
        reportTimer.unref();
      }
    },
    async stop() {
      running = false;
      if (reportTimer !== null) clearInterval(reportTimer);
      reportTimer = null;
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
    sendTlsReports,
  };
}

/** RFC 8460 4.1: reports cover a day (UTC). */
const TLS_REPORT_INTERVAL_MS = 86_400_000;

function ids(group: Group): number[] {
  return group.entries.map((entry) => entry.id);
}
