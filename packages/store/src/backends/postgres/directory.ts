import { normalizeDomain, parseAddress } from '../../core/addresses.js';
import {
  StoreError,
  type Alias,
  type Domain,
  type Mailbox,
  type RecipientResolution,
  type User,
} from '../../core/types.js';
import type { Queryable } from './connection.js';
import { createDefaultMailboxes, listMailboxes } from './mailboxes.js';

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

const USER_COLUMNS = 'id, address, password_hash, created_at';

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

async function one<R extends object>(db: Queryable, sql: string, values: unknown[]): Promise<R | undefined> {
  return (await db.query<R & import('pg').QueryResultRow>(sql, values)).rows[0];
}

async function domainByName(db: Queryable, name: string): Promise<DomainRow | undefined> {
  return one<DomainRow>(db, 'SELECT id, name, created_at FROM domains WHERE name = $1', [name]);
}

async function userByAddress(db: Queryable, address: string): Promise<UserRow | undefined> {
  return one<UserRow>(db, `SELECT ${USER_COLUMNS} FROM users WHERE address = $1`, [address]);
}

async function requireDomain(db: Queryable, name: string): Promise<Domain> {
  const row = await domainByName(db, name);
  if (row === undefined) throw new StoreError('NOT_FOUND', `domain ${name} is not a local domain`);
  return toDomain(row);
}

async function requireUser(db: Queryable, rawAddress: string): Promise<User> {
  const address = parseAddress(rawAddress).address;
  const row = await userByAddress(db, address);
  if (row === undefined) throw new StoreError('NOT_FOUND', `no user ${address}`);
  return toUser(row);
}

/** A login name that is not even an address belongs to nobody: undefined, not INVALID. */
async function findUserRow(db: Queryable, rawAddress: string): Promise<UserRow | undefined> {
  let address: string;
  try {
    address = parseAddress(rawAddress).address;
  } catch (error) {
    if (error instanceof StoreError && error.code === 'INVALID') return undefined;
    throw error;
  }
  return userByAddress(db, address);
}

async function insertDomain(db: Queryable, name: string): Promise<DomainRow> {
  const row = await one<DomainRow>(
    db,
    'INSERT INTO domains (name, created_at) VALUES ($1, $2) RETURNING id, name, created_at',
    [name, Date.now()],
  );
  if (row === undefined) throw new StoreError('TEMPORARY', 'insert returned no row');
  return row;
}

async function createUser(
  db: Queryable,
  address: string,
  domainId: number,
  hash: string | null,
): Promise<User> {
  const row = await one<UserRow>(
    db,
    `INSERT INTO users (address, domain_id, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING ${USER_COLUMNS}`,
    [address, domainId, hash, Date.now()],
  );
  if (row === undefined) throw new StoreError('TEMPORARY', 'insert returned no row');
  await createDefaultMailboxes(db, row.id);
  return toUser(row);
}

// ---- reads ---------------------------------------------------------------------------------

export async function listDomains(db: Queryable): Promise<Domain[]> {
  return (
    await db.query<DomainRow>('SELECT id, name, created_at FROM domains ORDER BY name COLLATE "C"')
  ).rows.map(toDomain);
}

export async function isLocalDomain(db: Queryable, name: string): Promise<boolean> {
  return (await domainByName(db, normalizeDomain(name))) !== undefined;
}

export async function getUser(db: Queryable, rawAddress: string): Promise<User | null> {
  const row = await findUserRow(db, rawAddress);
  return row === undefined ? null : toUser(row);
}

export async function listUsers(db: Queryable): Promise<User[]> {
  return (await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY address COLLATE "C"`)).rows.map(
    toUser,
  );
}

export async function passwordHash(
  db: Queryable,
  rawAddress: string,
): Promise<{ user: User; hash: string | null } | null> {
  const row = await findUserRow(db, rawAddress);
  return row === undefined ? null : { user: toUser(row), hash: row.password_hash };
}

export async function sendableAddresses(db: Queryable, userId: number): Promise<string[]> {
  const user = await one<UserRow>(db, `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [userId]);
  if (user === undefined) throw new StoreError('NOT_FOUND', `no user with id ${userId}`);
  const sources = await db.query<{ source: string }>(
    'SELECT source FROM aliases WHERE destination = $1 ORDER BY source COLLATE "C"',
    [user.address],
  );
  return [user.address, ...sources.rows.map((row) => row.source)];
}

export async function listAliases(db: Queryable): Promise<Alias[]> {
  return (
    await db.query<Alias>(
      'SELECT id, source, destination FROM aliases ORDER BY source COLLATE "C", destination COLLATE "C"',
    )
  ).rows;
}

export async function resolveRecipient(db: Queryable, rawAddress: string): Promise<RecipientResolution> {
  const { address, domain } = parseAddress(rawAddress);
  if ((await domainByName(db, domain)) === undefined) return { kind: 'remote' };
  const user = await userByAddress(db, address);
  if (user !== undefined) return { kind: 'local', users: [toUser(user)], forward: [] };
  for (const source of [address, `@${domain}`]) {
    const aliases = (
      await db.query<Alias>('SELECT id, source, destination FROM aliases WHERE source = $1 ORDER BY id', [
        source,
      ])
    ).rows;
    if (aliases.length === 0) continue;
    const users: User[] = [];
    const forward: string[] = [];
    for (const alias of aliases) {
      const target = await userByAddress(db, alias.destination);
      if (target === undefined) forward.push(alias.destination);
      else if (!users.some((known) => known.id === target.id)) users.push(toUser(target));
    }
    return { kind: 'local', users, forward };
  }
  return { kind: 'unknown' };
}

// ---- writes (inside the write queue's transaction) ------------------------------------------

export async function addDomain(db: Queryable, rawName: string): Promise<Domain> {
  const name = normalizeDomain(rawName);
  if ((await domainByName(db, name)) !== undefined)
    throw new StoreError('ALREADY_EXISTS', `domain ${name} already exists`);
  return toDomain(await insertDomain(db, name));
}

/** Refused while users remain; the domain's aliases go with it. */
export async function removeDomain(db: Queryable, rawName: string): Promise<void> {
  const domain = await requireDomain(db, normalizeDomain(rawName));
  const count = await one<{ count: number }>(db, 'SELECT COUNT(*) AS count FROM users WHERE domain_id = $1', [
    domain.id,
  ]);
  const users = count?.count ?? 0;
  if (users > 0)
    throw new StoreError('INVALID', `domain ${domain.name} still has ${users} user(s); remove them first`);
  await db.query("DELETE FROM aliases WHERE split_part(source, '@', 2) = $1", [domain.name]);
  await db.query('DELETE FROM domains WHERE id = $1', [domain.id]);
}

export async function addUser(db: Queryable, rawAddress: string, hash: string | null): Promise<User> {
  const { address, domain } = parseAddress(rawAddress);
  const domainRow = await domainByName(db, domain);
  if (domainRow === undefined)
    throw new StoreError('NOT_FOUND', `domain ${domain} is not a local domain; add it first`);
  if ((await userByAddress(db, address)) !== undefined)
    throw new StoreError('ALREADY_EXISTS', `user ${address} already exists`);
  return createUser(db, address, domainRow.id, hash);
}

/**
 * Dev profile: returns the user, creating it (and its domain) without a password if absent. Two
 * nodes creating one user at once: the loser's unique violation rolls back its savepoint and the
 * op, run again in the next batch (after the winner committed), finds the user.
 */
export async function ensureUser(db: Queryable, rawAddress: string): Promise<User> {
  const { address, domain } = parseAddress(rawAddress);
  const existing = await userByAddress(db, address);
  if (existing !== undefined) return toUser(existing);
  const domainRow = (await domainByName(db, domain)) ?? (await insertDomain(db, domain));
  return createUser(db, address, domainRow.id, null);
}

export async function setPassword(db: Queryable, rawAddress: string, hash: string): Promise<void> {
  const user = await requireUser(db, rawAddress);
  await db.query('UPDATE users SET password_hash = $1 WHERE id = $2', [hash, user.id]);
}

/** Removes a user with its mailboxes and messages (bodies are released by triggers). */
export async function removeUser(db: Queryable, rawAddress: string): Promise<Mailbox[]> {
  const user = await requireUser(db, rawAddress);
  const removed = await listMailboxes(db, user.id);
  await db.query('DELETE FROM users WHERE id = $1', [user.id]);
  return removed;
}

export async function addAlias(db: Queryable, rawSource: string, rawDestination: string): Promise<Alias> {
  const source = parseAddress(rawSource, { allowCatchAll: true });
  const destination = parseAddress(rawDestination).address;
  await requireDomain(db, source.domain);
  if (source.address === destination) throw new StoreError('INVALID', 'an alias cannot point at itself');
  const existing = await one(db, 'SELECT id FROM aliases WHERE source = $1 AND destination = $2', [
    source.address,
    destination,
  ]);
  if (existing !== undefined)
    throw new StoreError('ALREADY_EXISTS', `alias ${source.address} -> ${destination} already exists`);
  const row = await one<Alias>(
    db,
    'INSERT INTO aliases (source, destination) VALUES ($1, $2) RETURNING id, source, destination',
    [source.address, destination],
  );
  if (row === undefined) throw new StoreError('TEMPORARY', 'insert returned no row');
  return row;
}

export async function removeAlias(
  db: Queryable,
  rawSource: string,
  rawDestination: string | undefined,
): Promise<void> {
  const source = parseAddress(rawSource, { allowCatchAll: true }).address;
  const result =
    rawDestination === undefined
      ? await db.query('DELETE FROM aliases WHERE source = $1', [source])
      : await db.query('DELETE FROM aliases WHERE source = $1 AND destination = $2', [
          source,
          parseAddress(rawDestination).address,
        ]);
  if ((result.rowCount ?? 0) === 0)
    throw new StoreError(
      'NOT_FOUND',
      `no alias ${source}${rawDestination === undefined ? '' : ` -> ${rawDestination}`}`,
    );
}
