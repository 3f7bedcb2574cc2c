/**
 * The shared corpus of real and broken mail (/work/shared/corpus/mime, see its README). No
 * expected outputs exist for it, so these tests check invariants: no exception, offsets in order
 * and nested, delimiters between parts, every section extracts, re-parsing a part gives the
 * same structure, CRLF normalization keeps the structure, and the stored JSON round-trips.
 */
import { describe, expect, it } from 'vitest';
import { bodyStructure } from './bodystructure.js';
import { envelope } from './envelope.js';
import { parseMessage } from './parse.js';
import { extractSection } from './section.js';
import { deserializeStructure, serializeStructure } from './serialize.js';
import { textForSearch } from './search.js';
import { CORPUS_AVAILABLE, CORPUS_SKIP_REASON, readCorpus, toCrlf } from './test-support/messages.js';
import type { ImapValue, MimePart, SectionText } from './types.js';

const corpus = readCorpus();

/** Offset-free view of a structure, to compare the same entity parsed at different positions. */
interface Shape {
  type: string;
  headerLength: number;
  bodyLength: number;
  lines: number;
  children: Shape[];
  message: Shape | null;
}
function shape(p: MimePart): Shape {
  return {
    type: `${p.contentType.type}/${p.contentType.subtype}`,
    headerLength: p.headerEnd - p.headerStart,
    bodyLength: p.bodyEnd - p.bodyStart,
    lines: p.bodyLines,
    children: p.children.map(shape),
    message: p.message === undefined ? null : shape(p.message),
  };
}
/** Shape without sizes: what must survive LF -> CRLF normalization. */
function typesAndLines(s: Shape): unknown {
  return {
    type: s.type,
    lines: s.lines,
    children: s.children.map(typesAndLines),
    message: s.message && typesAndLines(s.message),
  };
}

function checkOffsets(raw: Buffer, p: MimePart, start: number, end: number): void {
  expect(p.headerStart).toBe(start);
  expect(p.headerEnd).toBeGreaterThanOrEqual(p.headerStart);
  expect(p.bodyStart).toBe(p.headerEnd);
  expect(p.bodyEnd).toBe(end);
  expect(p.bodyEnd).toBeGreaterThanOrEqual(p.bodyStart);
  if (p.message !== undefined) {
    expect(p.children).toEqual([]);
    checkOffsets(raw, p.message, p.bodyStart, p.bodyEnd);
  }
  const boundary = p.contentType.params['boundary'];
  let cursor = p.bodyStart;
  for (const child of p.children) {
    expect(child.headerStart).toBeGreaterThanOrEqual(cursor);
    // What lies between parts is a delimiter line ("--boundary"), after the preceding line break.
    const between = raw.toString('latin1', cursor, child.headerStart);
    expect(between).toContain(`--${boundary}`);
    expect(raw[child.headerStart - 1]).toBe(0x0a);
    checkOffsets(raw, child, child.headerStart, child.bodyEnd);
    expect(child.bodyEnd).toBeLessThanOrEqual(p.bodyEnd);
    cursor = child.bodyEnd;
  }
}

/** Every part number of the tree, with the entity it names (RFC 3501 6.4.5 numbering). */
function partNumbers(root: MimePart): Array<{ path: number[]; part: MimePart }> {
  const out: Array<{ path: number[]; part: MimePart }> = [];
  const visitContainer = (container: MimePart, path: number[]): void => {
    if (container.children.length === 0) {
      out.push({ path: [...path, 1], part: container });
      return;
    }
    container.children.forEach((child, i) => visitPart(child, [...path, i + 1]));
  };
  const visitPart = (part: MimePart, path: number[]): void => {
    out.push({ path, part });
    if (part.message !== undefined) {
      if (part.message.children.length > 0)
        part.message.children.forEach((c, i) => visitPart(c, [...path, i + 1]));
    } else {
      part.children.forEach((c, i) => visitPart(c, [...path, i + 1]));
    }
  };
  visitContainer(root, []);
  return out;
}

function isImapValue(v: unknown): v is ImapValue {
  if (v === null || typeof v === 'number' || typeof v === 'string' || Buffer.isBuffer(v)) return true;
  return Array.isArray(v) && v.every(isImapValue);
}

if (!CORPUS_AVAILABLE) {
  describe('MIME corpus', () => {
    it('parses every message of the shared corpus', (ctx) => ctx.skip(CORPUS_SKIP_REASON));
  });
} else {
  describe('MIME corpus', () => {
    it('has the 465 messages its README lists', () => {
      expect(corpus).toHaveLength(465);
    });

    it('parses the whole corpus in bounded time (a guard against quadratic behaviour, not a benchmark)', () => {
      const started = performance.now();
      for (const { raw } of corpus) parseMessage(raw);
      expect(performance.now() - started).toBeLessThan(20_000);
    });

    it.each(corpus.map((f) => [f.name, f.raw] as const))('%s', (_name, raw) => {
      const root = parseMessage(raw);
      checkOffsets(raw, root, 0, raw.length);

      const structure = bodyStructure(raw, root, true);
      expect(Array.isArray(structure) && isImapValue(structure)).toBe(true);
      expect(isImapValue(bodyStructure(raw, root, false))).toBe(true);
      const env = envelope(raw, root);
      expect(Array.isArray(env) && env.length === 10).toBe(true);
      expect(typeof textForSearch(raw, root)).toBe('string');

      for (const { path, part } of partNumbers(root)) {
        const body = extractSection(raw, root, { part: path, text: null, fields: [] });
        expect(body?.equals(raw.subarray(part.bodyStart, part.bodyEnd)), path.join('.')).toBe(true);
        expect(extractSection(raw, root, { part: path, text: 'MIME', fields: [] })).not.toBeNull();
        const texts: SectionText[] = ['HEADER', 'TEXT', 'HEADER.FIELDS', 'HEADER.FIELDS.NOT'];
        for (const text of texts) {
          const out = extractSection(raw, root, { part: path, text, fields: ['Subject', 'From'] });
          expect(out === null, `${path.join('.')}.${text}`).toBe(part.message === undefined);
        }
        // The same bytes parsed on their own give the same structure (a digest's default
        // part type is the one thing that depends on the parent).
        if (part !== root && part.contentType.subtype !== 'rfc822') {
          expect(shape(parseMessage(raw.subarray(part.headerStart, part.bodyEnd)))).toEqual(shape(part));
        }
        if (part.message !== undefined) {
          expect(shape(parseMessage(raw.subarray(part.bodyStart, part.bodyEnd)))).toEqual(
            shape(part.message),
          );
        }
      }

      expect(typesAndLines(shape(parseMessage(toCrlf(raw))))).toEqual(typesAndLines(shape(root)));
      expect(deserializeStructure(serializeStructure(root))).toEqual(root);
    });
  });
}
