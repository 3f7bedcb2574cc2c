import { AppPasswords } from './app-passwords.js';
import { Bodies } from './bodies.js';
import { Quotas } from './quotas.js';
import { ChangeLog } from './change-feed.js';
import type { SqliteDatabase } from './db.js';
import { Directory } from './directory.js';
import { ExpungedHistory, RecentMarks } from './imap-history.js';
import { DkimKeys } from './dkim-keys.js';
import { MaildropLocks } from './maildrop-locks.js';
import { Mailboxes } from './mailboxes.js';
import { Messages } from './messages.js';
import { OutboundQueue } from './outbound.js';
import { SieveScripts } from './sieve-scripts.js';
import { Subscriptions } from './subscriptions.js';
import { UidValidityCounter } from './uid-validity.js';
import { SearchIndex } from './search-index.js';
import { Transcripts } from './transcripts.js';

/** The store's small classes, one per concern, all on one connection (their statements are prepared on it). */
export interface StoreParts {
  changes: ChangeLog;
  expunged: ExpungedHistory;
  recent: RecentMarks;
  mailboxes: Mailboxes;
  directory: Directory;
  messages: Messages;
  bodies: Bodies;
  outbound: OutboundQueue;
  locks: MaildropLocks;
  dkimKeys: DkimKeys;
  subscriptions: Subscriptions;
  appPasswords: AppPasswords;
  quotas: Quotas;
  sieveScripts: SieveScripts;
  search: SearchIndex;
  transcripts: Transcripts;
}

export function createStoreParts(db: SqliteDatabase): StoreParts {
  const expunged = new ExpungedHistory(db);
  const changes = new ChangeLog(db, expunged);
  const subscriptions = new Subscriptions(db);
  const mailboxes = new Mailboxes(db, changes, new UidValidityCounter(db), subscriptions);
  return {
    changes,
    expunged,
    recent: new RecentMarks(db),
    mailboxes,
    directory: new Directory(db, mailboxes),
    messages: new Messages(db, mailboxes, changes),
    bodies: new Bodies(db),
    outbound: new OutboundQueue(db),
    locks: new MaildropLocks(db),
    dkimKeys: new DkimKeys(db),
    subscriptions,
    appPasswords: new AppPasswords(db),
    quotas: new Quotas(db),
    sieveScripts: new SieveScripts(db),
    search: new SearchIndex(db),
    transcripts: new Transcripts(db),
  };
}
