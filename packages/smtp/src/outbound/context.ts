import type { Logger } from 'pino';
import type { RelayStore } from '@minimail/store';
import type { DnsResolver } from './resolver.js';
import type { RetrySchedule } from './retry-schedule.js';
import type { TlsMode } from './smtp-client.js';
import type { MtaStsPolicies, TlsReportCollector } from './mta-sts/index.js';

/** Smarthost mode: everything goes to this one server instead of the recipients' MX hosts. */
export interface SmarthostOptions {
  host: string;
  port: number;
  tls: Exclude<TlsMode, 'opportunistic'>;
  /** Check the smarthost's certificate (default true: we send it our password). */
  verifyCertificate?: boolean;
  auth?: { user: string; pass: string };
}

/** What one delivery attempt and the recording of its outcome need (resolved worker options). */
export interface RelayContext {
  store: RelayStore;
  logger: Logger;
  /** Our host name: EHLO, Reporting-MTA of DSNs, MAILER-DAEMON's domain. */
  hostname: string;
  resolver: DnsResolver;
  smarthost: SmarthostOptions | null;
  /** Port of remote MX hosts. */
  mxPort: number;
  /** Tests only: connect to loopback/private MX addresses too (forbidden-destinations.ts). */
  allowPrivateDestinations: boolean;
  schedule: RetrySchedule;
  /** MTA-STS (RFC 8461) policies of recipient domains; null: not looked up (smarthost, tests). */
  mtaSts: MtaStsPolicies | null;
  /** TLS-RPT (RFC 8460) counts of sessions with a policy; null: not kept. */
  tlsReports: TlsReportCollector | null;
  /** Trusted CAs for verified MX TLS instead of the system's (tests only). */
  mxCa?: string | string[];
}
