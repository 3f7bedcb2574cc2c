/** One forward-only schema step; `sql` runs in the migration's transaction. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}
