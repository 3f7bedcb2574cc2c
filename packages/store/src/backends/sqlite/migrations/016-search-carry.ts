import type { Migration } from './migration.js';

/**
 * The catcher search's carried answers (docs/adr/0038). Version 14 in this branch; reserved as
 * migration 016 (renumbered to its position at merge). One row, kept by triggers in the same
 * transaction as every change it counts:
 * - `forgotten`: bumped whenever a `body_facts` row goes (its body went). While it stays the same,
 *   `body_facts` only grew since an earlier answer, and only with ids above that answer's largest
 *   (an INTEGER PRIMARY KEY reuses an id only after the largest row is deleted), so a search can
 *   add the matches among the new ids to what it matched then instead of matching again.
 * - `bodies`, `facts`: how many rows `bodies` and `body_facts` hold (equal: every stored body is
 *   indexed, which a search that works from the bodies a word leaves out needs), read in O(1)
 *   where counting them reads every row of an index.
 */
export const migration016SearchCarry: Migration = {
  version: 16,
  name: 'search-carry',
  up(db) {
    db.exec(`
      CREATE TABLE search_epoch (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        forgotten  INTEGER NOT NULL,
        bodies     INTEGER NOT NULL,
        facts      INTEGER NOT NULL
      ) STRICT;
      INSERT INTO search_epoch (id, forgotten, bodies, facts)
        VALUES (1, 0, (SELECT count(*) FROM bodies), (SELECT count(*) FROM body_facts));
      CREATE TRIGGER bodies_counted AFTER INSERT ON bodies BEGIN
        UPDATE search_epoch SET bodies = bodies + 1 WHERE id = 1;
      END;
      CREATE TRIGGER bodies_uncounted AFTER DELETE ON bodies BEGIN
        UPDATE search_epoch SET bodies = bodies - 1 WHERE id = 1;
      END;
      CREATE TRIGGER body_facts_counted AFTER INSERT ON body_facts BEGIN
        UPDATE search_epoch SET facts = facts + 1 WHERE id = 1;
      END;
      CREATE TRIGGER body_facts_forgotten AFTER DELETE ON body_facts BEGIN
        UPDATE search_epoch SET forgotten = forgotten + 1, facts = facts - 1 WHERE id = 1;
      END;
    `);
  },
};
