export { checkInbound } from './check.js';
export type { InboundAuthOptions, InboundVerdict, SmtpClientFacts } from './check.js';
export { removeForgedResults } from './forged-results.js';
