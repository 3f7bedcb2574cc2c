import type { Migration } from './migration.js';

/**
 * The catcher search's carried answers (docs/adr/0038). Version 14 in this branch; reserved as
 * migration 016 (renumbered to its position at merge). One counter of forgotten index rows, bumped
 * by a trigger whenever a `body_facts` row goes (its body went), in the same transaction. While it
 * stays the same, `body_facts` only grew since an earlier answer, and only with ids above that
 * answer's largest (an INTEGER PRIMARY KEY reuses an id only after the largest row is deleted), so
 * a search can add the matches among the new ids to what it matched then instead of matching again.
 */
export const migration016SearchCarry: Migration = {
  version: 14,
  name: 'search-carry',
  up(db) {
    db.exec(`
      CREATE TABLE search_epoch (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        forgotten  INTEGER NOT NULL
      ) STRICT;
      INSERT INTO search_epoch (id, forgotten) VALUES (1, 0);
      CREATE TRIGGER body_facts_forgotten AFTER DELETE ON body_facts BEGIN
        UPDATE search_epoch SET forgotten = forgotten + 1 WHERE id = 1;
      END;
    `);
  },
};
