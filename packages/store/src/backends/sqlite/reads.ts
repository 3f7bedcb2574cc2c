import type { StoreReads } from '../../core/backend.js';
import { toStoreError } from './errors.js';
import type { StoreParts } from './store-parts.js';

/**
 * The backend's reads: prepared statements on the store's own connection, run synchronously and
 * handed back as promises (a failure becomes a rejected StoreError, never a throw).
 */
export function sqliteReads(parts: StoreParts): StoreReads {
  const {
    directory,
    mailboxes,
    messages,
    bodies,
    outbound,
    dkimKeys,
    subscriptions,
    appPasswords,
    quotas,
    sieveScripts,
  } = parts;
  return {
    listDomains: () => read(() => directory.listDomains()),
    isLocalDomain: (name) => read(() => directory.isLocalDomain(name)),
    getUser: (address) => read(() => directory.getUser(address)),
    listUsers: () => read(() => directory.listUsers()),
    passwordHash: (address) => read(() => directory.passwordHash(address)),
    sendableAddresses: (userId) => read(() => directory.sendableAddresses(userId)),
    listAliases: () => read(() => directory.listAliases()),
    resolveRecipient: (address) => read(() => directory.resolveRecipient(address)),
    listMailboxes: (userId) => read(() => mailboxes.list(userId)),
    getMailbox: (userId, name) => read(() => mailboxes.get(userId, name)),
    getMailboxById: (mailboxId) => read(() => mailboxes.getById(mailboxId)),
    listSubscriptions: (userId) => read(() => subscriptions.list(userId)),
    mailboxStatus: (mailboxId) => read(() => mailboxes.mailboxStatus(mailboxId)),
    listMessages: (mailboxId) => read(() => messages.list(mailboxId)),
    getMessage: (mailboxId, uid) => read(() => messages.get(mailboxId, uid)),
    getMessages: (mailboxId, uids) => read(() => messages.getMany(mailboxId, uids)),
    listMessageFlags: (mailboxId) => read(() => messages.listFlags(mailboxId)),
    listSortKeys: (mailboxId) => read(() => bodies.sortKeyList(mailboxId)),
    expungedSince: (mailboxId, modseq) => read(() => parts.expunged.since(mailboxId, modseq)),
    recentMark: (mailboxId) => read(() => parts.recent.mark(mailboxId)),
    readBody: (hash) => read(() => bodies.readBody(hash)),
    readStructure: (hash) => read(() => bodies.readStructure(hash)),
    listOutbound: () => read(() => outbound.list()),
    getDkimKey: (domain) => read(() => dkimKeys.get(domain)),
    listAppPasswords: (address) => read(() => appPasswords.list(directory.userIdOf(address))),
    getQuota: (address) => read(() => quotas.get(directory.userIdOf(address))),
    appPasswordUser: (address, hash) =>
      read(() => {
        const user = directory.getUser(address);
        return user !== null && appPasswords.has(user.id, hash) ? user : null;
      }),
    listSieveScripts: (userId) => read(() => sieveScripts.list(userId)),
    getSieveScript: (userId, name) => read(() => sieveScripts.get(userId, name)),
    allSieveScripts: (userId) => read(() => sieveScripts.allOf(userId)),
    activeSieveScript: (userId) => read(() => sieveScripts.activeOf(userId)),
    searchMessages: (query) => read(() => parts.search.search(query)),
    catcherKeywords: (mailboxIds) => read(() => parts.search.keywords(mailboxIds)),
    caughtGroup: (mailboxId, uid, mailboxIds) => read(() => parts.search.groupOf(mailboxId, uid, mailboxIds)),
    unindexedBodies: (after, limit) => read(() => parts.search.unindexed(after, limit)),
    indexedTextMatch: (mailboxId, term, scope) => read(() => parts.search.textMatch(mailboxId, term, scope)),
    unindexedBodiesIn: (mailboxId, limit) => read(() => parts.search.unindexedIn(mailboxId, limit)),
  };
}

export function read<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(toStoreError(error));
  }
}
