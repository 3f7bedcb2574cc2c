export { MtaStsPolicies, type MtaStsOptions } from './policies.js';
export { fetchStsPolicy, StsFetchError, MAX_STS_POLICY_BYTES } from './fetch.js';
export {
  mxMatches,
  parseStsPolicy,
  parseStsRecord,
  policyAllowsMx,
  StsPolicyError,
  type StsPolicy,
} from './policy.js';
export {
  parseTlsRptRecord,
  tlsReportMessage,
  TlsReportCollector,
  type TlsFailure,
  type TlsReport,
  type TlsResultType,
} from './tls-report.js';
