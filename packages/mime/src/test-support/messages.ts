/** Test helpers: build raw messages line by line, and read the shared MIME corpus in place. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MimePart } from '../types.js';

/** Joins lines with CRLF (and ends with one), as the store keeps messages. */
export function crlf(...lines: string[]): Buffer {
  return Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'utf8');
}

/** Joins lines with bare LF. */
export function lf(...lines: string[]): Buffer {
  return Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
}

/** Every bare LF turned into CRLF (existing CRLFs kept): the normalization SMTP/APPEND apply. */
export function toCrlf(raw: Buffer): Buffer {
  return Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** The bytes of [start, end) as a string, for readable assertions. */
export function slice(raw: Buffer, start: number, end: number): string {
  return raw.toString('utf8', start, end);
}

/** Every entity of a tree, depth first, with its IMAP part number ('' for the root). */
export function walk(root: MimePart, visit: (part: MimePart, depth: number) => void): void {
  const stack: Array<[MimePart, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [part, depth] = stack.pop() as [MimePart, number];
    visit(part, depth);
    if (part.message !== undefined) stack.push([part.message, depth + 1]);
    for (let i = part.children.length - 1; i >= 0; i--) stack.push([part.children[i] as MimePart, depth + 1]);
  }
}

/** `<repo>/../shared/corpus/mime`, resolved from this file (src/test-support in packages/mime). */
export const CORPUS_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../../shared/corpus/mime',
);

/** Whether the shared corpus is present; tests that need it are skipped (visibly) when not. */
export const CORPUS_AVAILABLE = existsSync(CORPUS_DIR);

/** Why a corpus test is skipped, for its name or `ctx.skip(...)`: the reporter shows it. */
export const CORPUS_SKIP_REASON = `no MIME corpus at ${CORPUS_DIR} (the shared/ folder beside the repository)`;

/** Appended to the name of a test skipped without the corpus, so the skip says why. */
export const CORPUS_NOTE = CORPUS_AVAILABLE ? '' : ` [skipped: ${CORPUS_SKIP_REASON}]`;

export interface CorpusFile {
  /** `source/file`, for test names. */
  name: string;
  raw: Buffer;
}

/** All corpus messages, or an empty list when the corpus is not there. */
export function readCorpus(): CorpusFile[] {
  if (!existsSync(CORPUS_DIR)) return [];
  const files: CorpusFile[] = [];
  for (const source of readdirSync(CORPUS_DIR).sort()) {
    const dir = join(CORPUS_DIR, source);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).sort()) {
      files.push({ name: `${source}/${file}`, raw: readFileSync(join(dir, file)) });
    }
  }
  return files;
}

/** One corpus file by `source/file`. */
export function corpusFile(name: string): Buffer {
  return readFileSync(join(CORPUS_DIR, name));
}
