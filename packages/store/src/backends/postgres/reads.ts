import type { StoreReads } from '../../core/backend.js';
import * as appPasswords from './app-passwords.js';
import { listSortKeys, readBody, readStructure } from './bodies.js';
import * as quotas from './quotas.js';
import type { Queryable } from './connection.js';
import * as directory from './directory.js';
import * as history from './imap-history.js';
import { getDkimKey } from './dkim-keys.js';
import * as mailboxes from './mailboxes.js';
import * as messages from './messages.js';
import { listOutbound } from './outbound.js';
import { toStoreError } from './errors.js';
import * as sieve from './sieve-scripts.js';
import * as search from './search.js';

/** The backend's reads, each one query (or a few) on a pooled connection, outside any transaction. */
export function postgresReads(pool: Queryable): StoreReads {
  const read =
    <A extends unknown[], T>(fn: (db: Queryable, ...args: A) => Promise<T>) =>
    (...args: A): Promise<T> =>
      fn(pool, ...args).catch((error: unknown) => {
        throw toStoreError(error);
      });
  return {
    searchMessages: read(search.searchMessages),
    catcherKeywords: read(search.catcherKeywords),
    caughtGroup: read(search.caughtGroup),
    unindexedBodies: read(search.unindexedBodies),
    indexedTextMatch: read(search.textMatch),
    unindexedBodiesIn: read(search.unindexedIn),
    listDomains: read(directory.listDomains),
    isLocalDomain: read(directory.isLocalDomain),
    getUser: read(directory.getUser),
    listUsers: read(directory.listUsers),
    passwordHash: read(directory.passwordHash),
    sendableAddresses: read(directory.sendableAddresses),
    listAliases: read(directory.listAliases),
    resolveRecipient: read(directory.resolveRecipient),
    listMailboxes: read(mailboxes.listMailboxes),
    getMailbox: read(mailboxes.getMailbox),
    getMailboxById: read(mailboxes.getMailboxById),
    mailboxStatus: read(mailboxes.mailboxStatus),
    listSubscriptions: read(mailboxes.listSubscriptions),
    listMessages: read(messages.listMessages),
    getMessage: read(messages.getMessage),
    getMessages: read(messages.getMessages),
    listMessageFlags: read(messages.listMessageFlags),
    listSortKeys: read(listSortKeys),
    expungedSince: read(history.expungedSince),
    recentMark: read(history.recentMark),
    readBody: read(readBody),
    readStructure: read(readStructure),
    listOutbound: read(listOutbound),
    getDkimKey: read(getDkimKey),
    listAppPasswords: read(appPasswords.listAppPasswords),
    appPasswordUser: read(appPasswords.appPasswordUser),
    getQuota: read(quotas.getQuota),
    listSieveScripts: read(sieve.listSieveScripts),
    getSieveScript: read(sieve.getSieveScript),
    allSieveScripts: read(sieve.allSieveScripts),
    activeSieveScript: read(sieve.activeSieveScript),
  };
}
