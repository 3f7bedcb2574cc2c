export { createRelayWorker } from './worker.js';
export type { RelayWorker, RelayWorkerOptions, SmarthostOptions } from './worker.js';
export type { TlsMode } from './smtp-client.js';
export { staticResolver, toMailauthResolver } from './resolver.js';
export type { DnsResolver } from './resolver.js';
export { DEFAULT_RETRY_SCHEDULE } from './retry-schedule.js';
export type { RetrySchedule } from './retry-schedule.js';
export { generateDkimKey, defaultSelector, dkimRecordName, dkimRecordValue } from './dkim-keys.js';
export { signMessage } from './dkim-sign.js';
export { buildDsn } from './dsn.js';
export type { DsnInput, DsnRecipient } from './dsn.js';
export {
  MtaStsPolicies,
  parseStsPolicy,
  parseStsRecord,
  parseTlsRptRecord,
  mxMatches,
  TlsReportCollector,
  tlsReportMessage,
} from './mta-sts/index.js';
export type { StsPolicy, TlsReport } from './mta-sts/index.js';
export { sendOverSmtp, SmtpSendError } from './smtp-client.js';
export type { OutgoingMessage, SendOutcome, SmtpTarget } from './smtp-client.js';
