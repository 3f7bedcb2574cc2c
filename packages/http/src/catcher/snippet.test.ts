import { describe, expect, it } from 'vitest';
import { SNIPPET_LENGTH, snippetOf } from './mime-view.js';

/** The definition snippetOf must keep: the whole text collapsed, trimmed, cut to code points. */
const wholeText = (text: string, length = SNIPPET_LENGTH): string =>
  [...text.replace(/\s+/g, ' ').trim()].slice(0, length).join('');

describe('snippetOf', () => {
  it('gives the snippet of the whole text for texts around and past its prefix window', () => {
    const pieces = ['word', ' ', '\r\n', '\t\t', '😀', 'é', '   \n   ', 'x'];
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let round = 0; round < 300; round++) {
      let text = '';
      const target = next() % 6000;
      while (text.length < target) text += pieces[next() % pieces.length];
      for (const length of [SNIPPET_LENGTH, 1, 7])
        expect(snippetOf(text, length)).toBe(wholeText(text, length));
    }
  });

  it('looks past a long run of white space at the start', () => {
    const text = `${' '.repeat(5000)}${'a'.repeat(300)}`;
    expect(snippetOf(text)).toBe('a'.repeat(SNIPPET_LENGTH));
  });

  it('keeps a surrogate pair whole at the window edge', () => {
    const text = `${'a'.repeat(SNIPPET_LENGTH * 4 - 1)}😀${'b'.repeat(100)}`;
    expect(snippetOf(text, SNIPPET_LENGTH * 4)).toBe(wholeText(text, SNIPPET_LENGTH * 4));
    expect(snippetOf('  short  text  ')).toBe('short text');
    expect(snippetOf('')).toBe('');
  });
});
