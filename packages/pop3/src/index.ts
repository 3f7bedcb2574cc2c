export { createPop3Server } from './server.js';
export type { Pop3Listener, Pop3ServiceOptions } from './server.js';
export { CAPABILITIES, capabilityLines } from './capabilities.js';
export { RESPONSE_CODES, REPLIES } from './replies.js';
export { uniqueId } from './maildrop.js';
export * as POP3_LIMITS from './limits.js';
export { POP3_COMMAND_NAMES } from './commands/index.js';
