/**
 * The trigram index may narrow IMAP SEARCH BODY only where SQLite's FTS5 case folding agrees with
 * JavaScript's toLowerCase (docs/adr/0036). Checked here against the SQLite the store runs on,
 * over every code point whose lower case lies in TRIGRAM_SAFE_RANGES, so a new Node or SQLite
 * whose Unicode tables differ fails this test rather than dropping a match.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { trigramPhrases, trigramSafe } from './search-text.js';

describe('trigram folding against toLowerCase', () => {
  it('folds every character as its lower case folds, wherever the lower case is declared safe', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'trigram');
             CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance');`);
    const insert = db.prepare('INSERT INTO t (rowid, x) VALUES (?, ?)');
    const checked: number[] = [];
    db.transaction(() => {
      for (let point = 1; point <= 0x10ffff; point += 1) {
        if (point >= 0xd800 && point <= 0xdfff) continue;
        const lower = [...String.fromCodePoint(point).toLowerCase()];
        // U+0130 lower-cases to two characters: trigramPhrases asks for it by name.
        if (lower.length !== 1 || !trigramSafe(lower[0]!.codePointAt(0)!)) continue;
        checked.push(point);
        insert.run(point, `ab${String.fromCodePoint(point)}`);
      }
    })();
    const fold = new Map<number, string>();
    for (const row of db.prepare('SELECT doc, term FROM v').iterate() as Iterable<{
      doc: number;
      term: string;
    }>)
      fold.set(Number(row.doc), [...row.term][2]!);
    db.close();
    const disagree = checked.filter((point) => {
      const lower = String.fromCodePoint(point).toLowerCase().codePointAt(0)!;
      return fold.get(point) !== fold.get(lower);
    });
    expect(checked.length).toBeGreaterThan(100_000);
    expect(disagree.map((point) => point.toString(16))).toEqual([]);
  });

  it('asks for terms of three safe characters or more, and for U+0130 after a final i', () => {
    expect(trigramPhrases('ab')).toBeNull();
    expect(trigramPhrases('a\u0307b')).toBeNull();
    expect(trigramPhrases('Say "hi"')).toEqual(['"say ""hi"""']);
    expect(trigramPhrases('KÖLN')).toEqual(['"köln"']);
    expect(trigramPhrases('ABCI')).toEqual(['"abci"', '"abc\u0130"']);
    expect(trigramPhrases('日本語')).toEqual(['"日本語"']);
  });
});
