import { checkDkimKey } from '../../core/dkim-rules.js';
import { StoreError, type DkimAlgorithm, type DkimKey, type DkimKeyInput } from '../../core/types.js';
import type { Queryable } from './connection.js';

interface DkimKeyRow {
  domain: string;
  selector: string;
  algorithm: DkimAlgorithm;
  private_key: string;
  public_key: string;
  created_at: number;
}

const toKey = (row: DkimKeyRow): DkimKey => ({
  domain: row.domain,
  selector: row.selector,
  algorithm: row.algorithm,
  privateKeyPem: row.private_key,
  publicKey: row.public_key,
  createdAt: new Date(row.created_at),
});

/** One DKIM signing key per domain; setting a new one replaces the old (key rotation). */
export async function setDkimKey(db: Queryable, domain: string, key: DkimKeyInput): Promise<DkimKey> {
  const name = checkDkimKey(domain, key);
  const row = (
    await db.query<DkimKeyRow>(
      `INSERT INTO dkim_keys (domain, selector, algorithm, private_key, public_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (domain) DO UPDATE SET selector = excluded.selector, algorithm = excluded.algorithm,
         private_key = excluded.private_key, public_key = excluded.public_key, created_at = excluded.created_at
       RETURNING *`,
      [name, key.selector, key.algorithm, key.privateKeyPem, key.publicKey, Date.now()],
    )
  ).rows[0];
  if (row === undefined) throw new StoreError('TEMPORARY', 'dkim key upsert returned no row');
  return toKey(row);
}

export async function getDkimKey(db: Queryable, domain: string): Promise<DkimKey | null> {
  const row = (
    await db.query<DkimKeyRow>('SELECT * FROM dkim_keys WHERE domain = $1', [domain.toLowerCase()])
  ).rows[0];
  return row === undefined ? null : toKey(row);
}
