export { LIMITS, type Limits } from './limits.js';
export { LineReader, LineTooLongError, type LineReaderOptions } from './line-reader.js';
export {
  assertKeyMatchesCertificate,
  createServerSecureContext,
  createTlsContextProvider,
  isTlsContextProvider,
  secureContextSourceOf,
  loadTlsFiles,
  MIN_TLS_VERSION,
  SERVER_CIPHERS,
  resolveSecureContext,
  TlsConfigError,
  TlsHandshakeError,
  upgradeToTls,
  type SecureContextSource,
  type TlsContextProvider,
  type TlsContextProviderOptions,
  type TlsFiles,
  type TlsSource,
  type UpgradeOptions,
} from './tls.js';
export { ensureDevCertificate } from './dev-certificate.js';
export { PROFILES, type Profile, type ServiceListener, type ServiceOptions } from './service.js';
export {
  decodeSaslLoginResponse,
  decodeSaslPlain,
  decodeSaslResponse,
  SASL_LOGIN_PASSWORD_CHALLENGE,
  SASL_LOGIN_USERNAME_CHALLENGE,
  type SaslError,
  type SaslErrorCode,
  type SaslLimits,
  type SaslPlainCredentials,
  type SaslResult,
} from './sasl.js';
export { AuthThrottle, type AuthThrottleOptions } from './auth-throttle.js';
export {
  LoginPolicy,
  type CredentialCheck,
  type LoginAttempt,
  type LoginOutcome,
  type LoginPolicyOptions,
} from './login-policy.js';
export {
  ConnectionLimiter,
  type ConnectionLimiterOptions,
  type ReleaseConnection,
} from './connection-limits.js';
export { startListener, type ConnectionInfo, type Listener, type ListenerOptions } from './listener.js';
export { closeAfterEnd } from './socket-end.js';
export {
  MessageMemoryBudget,
  processMessageBudget,
  type MemoryReservation,
  type MessageMemoryBudgetOptions,
} from './message-budget.js';
export {
  MessageSpool,
  SpoolWriter,
  SpoolError,
  type MessageSpoolOptions,
  type SpoolOutcome,
} from './spool.js';
export { createSessionId } from './session-id.js';
export { normalizeRemoteAddress } from './remote-address.js';
export {
  createLogger,
  REDACTED_KEYS,
  redactCredentials,
  REDACTION_CENSOR,
  sessionLogger,
  type CreateLoggerOptions,
  type Logger,
  type SessionLogFields,
} from './logging.js';
export { Transcript, type TranscriptEntry, type TranscriptOptions } from './transcript.js';
export {
  BODY_PREVIEW_LINES,
  RECORDING_LIMITS,
  recordBodyPreview,
  SessionRecorder,
  TranscriptBook,
  transcriptSinks,
  transcriptText,
  type TranscriptSink,
  type MessageAction,
  type MessageLink,
  type RecordedLine,
  type RecordedProtocol,
  type JourneyStep,
  type RecordingEvent,
  type RecordingLimits,
  type RecordingListener,
  type Recordings,
  type RecordingStats,
  type SessionFilter,
  type SessionRecord,
  type SessionSummary,
} from './recording.js';
export {
  RECORDING_FLUSH_LINES,
  RECORDING_FLUSH_MS,
  SharedTranscriptBook,
  type RecordingUpdate,
  type TranscriptStorePort,
} from './shared-recording.js';
export {
  createMetrics,
  OTHER_COMMAND,
  type CreateMetricsOptions,
  type MessageDirection,
  type Metrics,
  type OutboundQueueSource,
  type ProtocolMetrics,
} from './metrics.js';
export { ACME_HTTP01_PREFIX, AcmeChallengeResponder, answerAcmeHttp01 } from './acme-challenges.js';
