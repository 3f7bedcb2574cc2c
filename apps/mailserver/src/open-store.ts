import { parseMessage, serializeStructure } from '@minimail/mime';
import { openStore, type MailStore, type StoreLogger } from '@minimail/store';
import { indexBody } from '@minimail/http/index-body';
import { storePath } from './paths.js';

/**
 * The app's one way to open the store: the MIME structure of every body is computed once, when it
 * is stored (IMAP FETCH then reads it instead of re-parsing), through the store's describeBody hook,
 * so that the store itself stays free of MIME knowledge; likewise the search index's facts
 * (indexBody, from @minimail/http's light `index-body` entry, which loads no web framework).
 */
export function openAppStore(
  dataDir: string,
  options: { logger?: StoreLogger; writer?: 'inline' | 'thread' } = {},
): MailStore {
  return openStore({
    path: storePath(dataDir),
    describeBody: (raw) => serializeStructure(parseMessage(raw)),
    // The mail catcher's search index (docs/adr/0015): what /api/v1/search and the list read.
    indexBody,
    ...options,
  });
}
