import { parseMessage, serializeStructure } from '@minimail/mime';
import { openStore, type MailStore, type StoreLogger } from '@minimail/store';
import { storePath } from './paths.js';

/**
 * The app's one way to open the store: the MIME structure of every body is computed once, when it
 * is stored (IMAP FETCH then reads it instead of re-parsing), through the store's describeBody hook,
 * so that the store itself stays free of MIME knowledge.
 */
export function openAppStore(
  dataDir: string,
  options: { logger?: StoreLogger; writer?: 'inline' | 'thread' } = {},
): MailStore {
  return openStore({
    path: storePath(dataDir),
    describeBody: (raw) => serializeStructure(parseMessage(raw)),
    ...options,
  });
}
