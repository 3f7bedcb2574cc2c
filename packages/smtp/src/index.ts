export { createMxServer } from './mx.js';
export { createSubmissionServer } from './submission.js';
export type { SmtpListener, SmtpServiceOptions } from './server-options.js';
export { REPLIES } from './replies.js';
export type { SmtpReply, ReplyName } from './replies.js';
export { receivedHeader, returnPathHeader } from './received-header.js';
export type { ReceivedInfo } from './received-header.js';
export * from './outbound/index.js';
export * from './inbound-auth/index.js';
