/**
 * Every command the server understands, by name. The mapped type makes the compiler insist on
 * exactly one spec per command the parser can produce.
 */
import type { CommandName } from '../protocol/commands.js';
import { appendCommand } from './append.js';
import { authenticateCommand } from './authenticate.js';
import { capabilityCommand } from './capability.js';
import { checkCommand } from './check.js';
import { closeCommand } from './close.js';
import { compressCommand } from './compress.js';
import { copyCommand } from './copy.js';
import { createCommand } from './create.js';
import { deleteCommand } from './delete.js';
import { enableCommand } from './enable.js';
import { expungeCommand } from './expunge.js';
import { fetchCommand } from './fetch.js';
import { idCommand } from './id.js';
import { idleCommand } from './idle.js';
import { listCommand } from './list.js';
import { loginCommand } from './login.js';
import { logoutCommand } from './logout.js';
import { lsubCommand } from './lsub.js';
import { moveCommand } from './move.js';
import { namespaceCommand } from './namespace.js';
import { noopCommand } from './noop.js';
import { notifyCommand } from './notify.js';
import { getquotaCommand, getquotarootCommand } from './quota.js';
import { renameCommand } from './rename.js';
import { searchCommand } from './search.js';
import { sortCommand } from './sort.js';
import { threadCommand } from './thread.js';
import { cancelUpdateCommand } from './cancelupdate.js';
import { examineCommand, selectCommand } from './select.js';
import { starttlsCommand } from './starttls.js';
import { statusCommand } from './status.js';
import { storeCommand } from './store.js';
import { subscribeCommand } from './subscribe.js';
import type { CommandSpec } from './types.js';
import { unselectCommand } from './unselect.js';
import { unsubscribeCommand } from './unsubscribe.js';

export const COMMANDS: { readonly [N in CommandName]: CommandSpec<N> } = {
  CAPABILITY: capabilityCommand,
  NOOP: noopCommand,
  LOGOUT: logoutCommand,
  STARTTLS: starttlsCommand,
  AUTHENTICATE: authenticateCommand,
  LOGIN: loginCommand,
  ID: idCommand,
  ENABLE: enableCommand,
  NAMESPACE: namespaceCommand,
  SELECT: selectCommand,
  EXAMINE: examineCommand,
  CREATE: createCommand,
  DELETE: deleteCommand,
  RENAME: renameCommand,
  SUBSCRIBE: subscribeCommand,
  UNSUBSCRIBE: unsubscribeCommand,
  LIST: listCommand,
  LSUB: lsubCommand,
  STATUS: statusCommand,
  GETQUOTA: getquotaCommand,
  GETQUOTAROOT: getquotarootCommand,
  APPEND: appendCommand,
  IDLE: idleCommand,
  CHECK: checkCommand,
  CLOSE: closeCommand,
  UNSELECT: unselectCommand,
  EXPUNGE: expungeCommand,
  SEARCH: searchCommand,
  SORT: sortCommand,
  THREAD: threadCommand,
  CANCELUPDATE: cancelUpdateCommand,
  FETCH: fetchCommand,
  STORE: storeCommand,
  COPY: copyCommand,
  MOVE: moveCommand,
  COMPRESS: compressCommand,
  NOTIFY: notifyCommand,
};

/**
 * Every command name, for bounded metrics labels (`forProtocol('imap', IMAP_COMMAND_NAMES)`).
 * UID FETCH and friends are counted under their command (FETCH); anything else is OTHER.
 */
export const IMAP_COMMAND_NAMES: readonly CommandName[] = Object.keys(COMMANDS) as CommandName[];
