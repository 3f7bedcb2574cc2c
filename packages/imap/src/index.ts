/**
 * @minimail/imap: an IMAP4rev1 server (RFC 3501 plus LITERAL+, IDLE, UIDPLUS, MOVE, NAMESPACE, ID,
 * ENABLE, SPECIAL-USE, UNSELECT, CHILDREN, SASL-IR) over the shared store.
 * See docs/adr/0008-imap-session-model.md.
 */
export { createImapServer } from './server.js';
export type {
  ImapServiceOptions,
  ImapListener,
  CreateImapServerOptions,
  MessagesMovedEvent,
} from './options.js';
export { DEFAULT_LIMITS, type ImapServerLimits } from './limits.js';
export { IMAP_COMMAND_NAMES } from './commands/registry.js';
