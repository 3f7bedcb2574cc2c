export { rspamdCheck, rspamdLearn, type RspamdCheckInput, type RspamdVerdict } from './client.js';
export { decide, spamHeaders, UNCHECKED_HEADERS, type SpamDecision } from './verdict.js';
export { DEFAULT_RSPAMD_TIMEOUT_MS, type RspamdOptions } from './options.js';
export { checkSpam, type SpamOutcome } from './check.js';
