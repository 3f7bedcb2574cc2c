import pg from 'pg';
import type { HeldLock, LockBackend } from '../../core/backend.js';
import { StoreError } from '../../core/types.js';
import { clientConfig, type PostgresSettings, type Queryable } from './connection.js';
import { toStoreError } from './errors.js';

/** First key of every maildrop advisory lock ('MMPO'); the second is the user id. */
const MAILDROP_LOCK_SPACE = 0x4d4d504f;

/**
 * POP3 maildrop locks (RFC 1939 8) across nodes as PostgreSQL session advisory locks, all held on
 * one dedicated connection per node. Exclusive across every node and process on the database; and
 * freed by the server the moment the holding connection ends, so a node that dies (SIGKILL, power)
 * never leaves a maildrop locked, with no heartbeat or staleness rule to tune. Within the node the
 * owner of each lock is remembered here: advisory locks are re-entrant per connection, so two
 * sessions of one node are told apart by this map, not by the server.
 */
export class PgAdvisoryLocks implements LockBackend {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  /** user id -> owner, for every lock this node holds or is taking. */
  private readonly owners = new Map<number, string>();

  constructor(
    private readonly settings: PostgresSettings,
    private readonly pool: Queryable,
    private readonly onError: (error: unknown, message: string) => void,
  ) {}

  async lock(userId: number, owner: string): Promise<boolean> {
    const user = await this.pool
      .query('SELECT 1 FROM users WHERE id = $1', [userId])
      .catch((error: unknown) => {
        throw toStoreError(error);
      });
    if (user.rowCount === 0) throw new StoreError('NOT_FOUND', `no user with id ${userId}`);
    const current = this.owners.get(userId);
    if (current !== undefined) return current === owner;
    this.owners.set(userId, owner);
    try {
      const client = await this.connection();
      const result = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1, $2) AS locked',
        [MAILDROP_LOCK_SPACE, userId],
      );
      const locked = result.rows[0]?.locked === true;
      if (!locked) this.owners.delete(userId);
      return locked;
    } catch (error) {
      this.owners.delete(userId);
      throw toStoreError(error);
    }
  }

  async unlock(held: HeldLock[]): Promise<void> {
    for (const { userId, owner } of held) {
      if (this.owners.get(userId) !== owner) continue;
      this.owners.delete(userId);
      const client = this.client;
      if (client === null) continue; // the connection (and with it the lock) is already gone
      await client
        .query('SELECT pg_advisory_unlock($1, $2)', [MAILDROP_LOCK_SPACE, userId])
        .catch((error: unknown) => {
          throw toStoreError(error);
        });
    }
  }

  /** Nothing expires; this only notices a lost connection early (its locks went with it). */
  async heartbeat(): Promise<void> {
    if (this.client !== null) await this.client.query('SELECT 1');
  }

  async close(): Promise<void> {
    const client = this.client ?? (await this.connecting?.catch(() => null)) ?? null;
    this.client = null;
    this.owners.clear();
    await client?.end().catch(() => undefined);
  }

  private connection(): Promise<pg.Client> {
    if (this.client !== null) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client(clientConfig(this.settings));
    const lost = (error: unknown): void => {
      if (this.client !== client) return;
      this.client = null;
      // The server released every lock of that session: sessions that think they hold one must
      // not be told so by us any longer.
      this.owners.clear();
      this.onError(error, 'maildrop lock connection lost; its locks were released');
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('lock connection ended')));
    await client.connect();
    this.client = client;
    return client;
  }
}
