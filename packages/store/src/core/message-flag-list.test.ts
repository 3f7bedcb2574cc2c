import { describe, expect, it } from 'vitest';
import { parseFlagList } from './message-flag-list.js';

describe('parseFlagList', () => {
  it('reads uid, modseq and flags per line; an empty mailbox is null', () => {
    expect(parseFlagList(null)).toEqual({ uids: [], flags: [], modseqs: [] });
    expect(parseFlagList('1 5 \n2 9 \\Seen $Work\n7 3 \\Seen $Work')).toEqual({
      uids: [1, 2, 7],
      flags: [[], ['\\Seen', '$Work'], ['\\Seen', '$Work']],
      modseqs: [5, 9, 3],
    });
  });

  it('shares one frozen array between equal flag lists', () => {
    const list = parseFlagList('1 1 \\Seen\n2 2 \\Seen\n3 3 ');
    expect(list.flags[0]).toBe(list.flags[1]);
    expect(Object.isFrozen(list.flags[0])).toBe(true);
  });

  it('puts lines that arrive out of UID order back in order', () => {
    expect(parseFlagList('4 1 a\n2 2 \n3 3 b')).toEqual({
      uids: [2, 3, 4],
      flags: [[], ['b'], ['a']],
      modseqs: [2, 3, 1],
    });
  });

  it('refuses a line without its three fields', () => {
    expect(() => parseFlagList('1 2 \n3')).toThrow(/malformed/);
  });
});
