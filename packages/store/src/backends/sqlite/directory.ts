import type { SqliteDatabase } from './db.js';
import { normalizeDomain, parseAddress } from '../../core/addresses.js';
import type { Mailboxes } from './mailboxes.js';
import {
  StoreError,
  type Alias,
  type Domain,
  type Mailbox,
  type RecipientResolution,
  type User,
} from '../../core/types.js';

interface DomainRow {
  id: number;
  name: string;
  created_at: number;
}

interface UserRow {
  id: number;
  address: string;
  password_hash: string | null;
  created_at: number;
}

const toDomain = (row: DomainRow): Domain => ({
  id: row.id,
  name: row.name,
  createdAt: new Date(row.created_at),
});
const toUser = (row: UserRow): User => ({
  id: row.id,
  address: row.address,
  hasPassword: row.password_hash !== null,
  createdAt: new Date(row.created_at),
});

/** Domains, users and aliases: who has an address here and where mail for it goes. */
export class Directory {
  private readonly domainByName;
  private readonly allDomains;
  private readonly insertDomain;
  private readonly deleteDomain;
  private readonly usersInDomain;
  private readonly deleteDomainAliases;
  private readonly userByAddress;
  private readonly userById;
  private readonly allUsers;
  private readonly insertUser;
  private readonly updatePassword;
  private readonly deleteUser;
  private readonly aliasesBySource;
  private readonly aliasSourcesByDestination;
  private readonly allAliases;
  private readonly insertAlias;
  private readonly deleteAlias;
  private readonly deleteAliasesBySource;

  constructor(
    db: SqliteDatabase,
    private readonly mailboxes: Mailboxes,
  ) {
    this.domainByName = db.prepare<[string], DomainRow>(
      'SELECT id, name, created_at FROM domains WHERE name = ?',
    );
    this.allDomains = db.prepare<[], DomainRow>('SELECT id, name, created_at FROM domains ORDER BY name');
    this.insertDomain = db.prepare<[string, number], DomainRow>(
      'INSERT INTO domains (name, created_at) VALUES (?, ?) RETURNING id, name, created_at',
    );
    this.deleteDomain = db.prepare('DELETE FROM domains WHERE id = ?');
    this.usersInDomain = db.prepare<[number], { count: number }>(
      'SELECT COUNT(*) AS count FROM users WHERE domain_id = ?',
    );
    this.deleteDomainAliases = db.prepare(
      "DELETE FROM aliases WHERE substr(source, instr(source, '@') + 1) = ?",
    );
    this.userByAddress = db.prepare<[string], UserRow>(
      'SELECT id, address, password_hash, created_at FROM users WHERE address = ?',
    );
    this.userById = db.prepare<[number], UserRow>(
      'SELECT id, address, password_hash, created_at FROM users WHERE id = ?',
    );
    this.allUsers = db.prepare<[], UserRow>(
      'SELECT id, address, password_hash, created_at FROM users ORDER BY address',
    );
    this.insertUser = db.prepare<[string, number, string | null, number], UserRow>(
      'INSERT INTO users (address, domain_id, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id, address, password_hash, created_at',
    );
    this.updatePassword = db.prepare('UPDATE users SET password_hash = ? WHERE id = ?');
    this.deleteUser = db.prepare('DELETE FROM users WHERE id = ?');
    this.aliasesBySource = db.prepare<[string], Alias>(
      'SELECT id, source, destination FROM aliases WHERE source = ? ORDER BY id',
    );
    this.aliasSourcesByDestination = db.prepare<[string], { source: string }>(
      'SELECT source FROM aliases WHERE destination = ? ORDER BY source',
    );
    this.allAliases = db.prepare<[], Alias>(
      'SELECT id, source, destination FROM aliases ORDER BY source, destination',
    );
    this.insertAlias = db.prepare<[string, string], Alias>(
      'INSERT INTO aliases (source, destination) VALUES (?, ?) RETURNING id, source, destination',
    );
    this.deleteAlias = db.prepare('DELETE FROM aliases WHERE source = ? AND destination = ?');
    this.deleteAliasesBySource = db.prepare('DELETE FROM aliases WHERE source = ?');
  }

  // ---- domains ------------------------------------------------------------------------------

  listDomains(): Domain[] {
    return this.allDomains.all().map(toDomain);
  }

  isLocalDomain(name: string): boolean {
    return this.domainByName.get(normalizeDomain(name)) !== undefined;
  }

  addDomain(rawName: string): Domain {
    const name = normalizeDomain(rawName);
    if (this.domainByName.get(name) !== undefined)
      throw new StoreError('ALREADY_EXISTS', `domain ${name} already exists`);
    return toDomain(this.mustGet(this.insertDomain.get(name, Date.now())));
  }

  /** Refused while users remain; the domain's aliases go with it. */
  removeDomain(rawName: string): void {
    const domain = this.requireDomain(normalizeDomain(rawName));
    const users = this.usersInDomain.get(domain.id)?.count ?? 0;
    if (users > 0)
      throw new StoreError('INVALID', `domain ${domain.name} still has ${users} user(s); remove them first`);
    this.deleteDomainAliases.run(domain.name);
    this.deleteDomain.run(domain.id);
  }

  // ---- users --------------------------------------------------------------------------------

  /** A login name that is not even an address belongs to nobody: null, not INVALID. */
  getUser(rawAddress: string): User | null {
    const row = this.findUserRow(rawAddress);
    return row === undefined ? null : toUser(row);
  }

  getUserById(userId: number): User | null {
    const row = this.userById.get(userId);
    return row === undefined ? null : toUser(row);
  }

  listUsers(): User[] {
    return this.allUsers.all().map(toUser);
  }

  /** The stored hash (or null) of a user, for password checks outside the write queue. */
  passwordHash(rawAddress: string): { user: User; hash: string | null } | null {
    const row = this.findUserRow(rawAddress);
    return row === undefined ? null : { user: toUser(row), hash: row.password_hash };
  }

  /** Adds a user in an existing domain, with the default mailboxes. */
  addUser(rawAddress: string, passwordHash: string | null): User {
    const { address, domain } = parseAddress(rawAddress);
    const domainRow = this.domainByName.get(domain);
    if (domainRow === undefined)
      throw new StoreError('NOT_FOUND', `domain ${domain} is not a local domain; add it first`);
    if (this.userByAddress.get(address) !== undefined)
      throw new StoreError('ALREADY_EXISTS', `user ${address} already exists`);
    return this.createUser(address, domainRow.id, passwordHash);
  }

  /** Dev profile: returns the user, creating it (and its domain) without a password if absent. */
  ensureUser(rawAddress: string): User {
    const { address, domain } = parseAddress(rawAddress);
    const existing = this.userByAddress.get(address);
    if (existing !== undefined) return toUser(existing);
    const domainRow =
      this.domainByName.get(domain) ?? this.mustGet(this.insertDomain.get(domain, Date.now()));
    return this.createUser(address, domainRow.id, null);
  }

  setPassword(rawAddress: string, passwordHash: string): void {
    const user = this.requireUser(rawAddress);
    this.updatePassword.run(passwordHash, user.id);
  }

  /**
   * Removes a user with its mailboxes and messages (bodies are released by triggers). Aliases
   * pointing at the user are kept: they are the admin's configuration and now forward nowhere
   * local, which `listAliases` shows.
   */
  removeUser(rawAddress: string): Mailbox[] {
    const user = this.requireUser(rawAddress);
    const removed = this.mailboxes.list(user.id);
    this.deleteUser.run(user.id);
    return removed;
  }

  sendableAddresses(userId: number): string[] {
    const user = this.userById.get(userId);
    if (user === undefined) throw new StoreError('NOT_FOUND', `no user with id ${userId}`);
    return [user.address, ...this.aliasSourcesByDestination.all(user.address).map((row) => row.source)];
  }

  // ---- aliases ------------------------------------------------------------------------------

  listAliases(): Alias[] {
    return this.allAliases.all();
  }

  /** The source must be in a local domain; `@domain` is a catch-all. */
  addAlias(rawSource: string, rawDestination: string): Alias {
    const source = parseAddress(rawSource, { allowCatchAll: true });
    const destination = parseAddress(rawDestination).address;
    this.requireDomain(source.domain);
    if (source.address === destination) throw new StoreError('INVALID', 'an alias cannot point at itself');
    if (this.aliasesBySource.all(source.address).some((alias) => alias.destination === destination)) {
      throw new StoreError('ALREADY_EXISTS', `alias ${source.address} -> ${destination} already exists`);
    }
    return this.mustGet(this.insertAlias.get(source.address, destination));
  }

  removeAlias(rawSource: string, rawDestination?: string): void {
    const source = parseAddress(rawSource, { allowCatchAll: true }).address;
    const result =
      rawDestination === undefined
        ? this.deleteAliasesBySource.run(source)
        : this.deleteAlias.run(source, parseAddress(rawDestination).address);
    if (result.changes === 0)
      throw new StoreError(
        'NOT_FOUND',
        `no alias ${source}${rawDestination === undefined ? '' : ` -> ${rawDestination}`}`,
      );
  }

  /**
   * Exact user, then exact alias, then catch-all `@domain`. Alias destinations that are local
   * users are delivered to; any other destination is forwarded (relayed through the queue).
   */
  resolveRecipient(rawAddress: string): RecipientResolution {
    const { address, domain } = parseAddress(rawAddress);
    if (this.domainByName.get(domain) === undefined) return { kind: 'remote' };
    const user = this.userByAddress.get(address);
    if (user !== undefined) return { kind: 'local', users: [toUser(user)], forward: [] };
    for (const source of [address, `@${domain}`]) {
      const aliases = this.aliasesBySource.all(source);
      if (aliases.length === 0) continue;
      const users: User[] = [];
      const forward: string[] = [];
      for (const alias of aliases) {
        const target = this.userByAddress.get(alias.destination);
        if (target === undefined) forward.push(alias.destination);
        else if (!users.some((known) => known.id === target.id)) users.push(toUser(target));
      }
      return { kind: 'local', users, forward };
    }
    return { kind: 'unknown' };
  }

  // ---- helpers ------------------------------------------------------------------------------

  private createUser(address: string, domainId: number, passwordHash: string | null): User {
    const user = toUser(this.mustGet(this.insertUser.get(address, domainId, passwordHash, Date.now())));
    this.mailboxes.createDefaults(user.id);
    return user;
  }

  /** The id of an existing user; NOT_FOUND otherwise (app passwords are kept by user id). */
  userIdOf(rawAddress: string): number {
    return this.requireUser(rawAddress).id;
  }

  private requireUser(rawAddress: string): User {
    const address = parseAddress(rawAddress).address;
    const row = this.userByAddress.get(address);
    if (row === undefined) throw new StoreError('NOT_FOUND', `no user ${address}`);
    return toUser(row);
  }

  private findUserRow(rawAddress: string): UserRow | undefined {
    let address: string;
    try {
      address = parseAddress(rawAddress).address;
    } catch (error) {
      if (error instanceof StoreError && error.code === 'INVALID') return undefined;
      throw error;
    }
    return this.userByAddress.get(address);
  }

  private requireDomain(name: string): Domain {
    const row = this.domainByName.get(name);
    if (row === undefined) throw new StoreError('NOT_FOUND', `domain ${name} is not a local domain`);
    return toDomain(row);
  }

  private mustGet<T>(row: T | undefined): T {
    if (row === undefined) throw new StoreError('TEMPORARY', 'insert returned no row');
    return row;
  }
}
