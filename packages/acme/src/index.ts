export {
  AcmeManager,
  type AcmeChallengeType,
  type AcmeLogger,
  type AcmeManagerOptions,
  type AcmeStatus,
} from './manager.js';
export { acmePaths, type AcmePaths, type IssuedRecord } from './files.js';
export { ACME_SCHEDULE, renewalTime, retryDelayMs } from './schedule.js';
export { ACME_TLS_ALPN_PROTOCOL, TlsAlpnResponder } from './tls-alpn-responder.js';
