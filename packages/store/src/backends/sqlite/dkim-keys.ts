import type { SqliteDatabase } from './db.js';
import { checkDkimKey } from '../../core/dkim-rules.js';
import { StoreError, type DkimAlgorithm, type DkimKey, type DkimKeyInput } from '../../core/types.js';

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
export class DkimKeys {
  private readonly upsert;
  private readonly byDomain;

  constructor(db: SqliteDatabase) {
    this.upsert = db.prepare<[string, string, string, string, string, number], DkimKeyRow>(
      `INSERT INTO dkim_keys (domain, selector, algorithm, private_key, public_key, created_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (domain) DO UPDATE SET selector = excluded.selector, algorithm = excluded.algorithm,
         private_key = excluded.private_key, public_key = excluded.public_key, created_at = excluded.created_at
       RETURNING *`,
    );
    this.byDomain = db.prepare<[string], DkimKeyRow>('SELECT * FROM dkim_keys WHERE domain = ?');
  }

  set(domain: string, key: DkimKeyInput): DkimKey {
    const name = checkDkimKey(domain, key);
    const row = this.upsert.get(
      name,
      key.selector,
      key.algorithm,
      key.privateKeyPem,
      key.publicKey,
      Date.now(),
    );
    if (row === undefined) throw new StoreError('TEMPORARY', 'dkim key upsert returned no row');
    return toKey(row);
  }

  get(domain: string): DkimKey | null {
    const row = this.byDomain.get(domain.toLowerCase());
    return row === undefined ? null : toKey(row);
  }
}
