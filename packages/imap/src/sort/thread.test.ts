/**
 * THREAD's algorithms (RFC 5256 4, and Dovecot's REFS) on their own: tables of messages in,
 * the `* THREAD` data out. The command and its transcripts are in commands/thread.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { baseSubject } from './base-subject.js';
import { casemapKey } from './collation.js';
import { threadResponse, type ThreadAlgorithm, type ThreadInput } from './thread.js';

interface Spec {
  /** Sequence number (also the id answered). */
  n: number;
  /** Day of the month of the sent date (hours as a fraction), January 2024. */
  day: number;
  subject?: string;
  id?: string;
  refs?: string[];
}

function inputs(specs: readonly Spec[]): ThreadInput[] {
  return specs.map((spec) => {
    const subject = baseSubject(spec.subject ?? `s${spec.n}`);
    return {
      id: spec.n,
      sequence: spec.n,
      date: Date.UTC(2024, 0, 1) + spec.day * 86_400_000,
      subject: casemapKey(subject.base),
      isReplyOrForward: subject.isReplyOrForward,
      messageId: spec.id ?? `<m${spec.n}@x>`,
      references: spec.refs ?? [],
    };
  });
}

const thread = (algorithm: ThreadAlgorithm, specs: readonly Spec[]): string =>
  threadResponse(algorithm, inputs(specs));

describe('REFERENCES (RFC 5256 4)', () => {
  it("builds RFC 5256 4's example tree (2)(3 6 (4 23)(44 7 96))", () => {
    const specs: Spec[] = [
      { n: 2, day: 1 },
      { n: 3, day: 2 },
      { n: 4, day: 4, refs: ['<m3@x>', '<m6@x>'] },
      { n: 6, day: 3, refs: ['<m3@x>'] },
      { n: 7, day: 7, refs: ['<m3@x>', '<m6@x>', '<m44@x>'] },
      { n: 23, day: 5, refs: ['<m3@x>', '<m6@x>', '<m4@x>'] },
      { n: 44, day: 6, refs: ['<m3@x>', '<m6@x>'] },
      { n: 96, day: 8, refs: ['<m3@x>', '<m6@x>', '<m44@x>', '<m7@x>'] },
    ];
    expect(thread('REFERENCES', specs)).toBe('(2)(3 6 (4 23)(44 7 96))');
  });

  it("keeps a dummy that holds two threads together: RFC 5256 4's ((3)(5))", () => {
    const specs: Spec[] = [
      { n: 3, day: 1, refs: ['<gone@x>'] },
      { n: 5, day: 2, refs: ['<gone@x>'] },
    ];
    expect(thread('REFERENCES', specs)).toBe('((3)(5))');
  });

  it('promotes the only child of a top dummy, and the children of inner dummies', () => {
    // 1 -> <gone> -> 2 and 3: the inner dummy goes, its children become 1's.
    expect(
      thread('REFERENCES', [
        { n: 1, day: 1 },
        { n: 2, day: 2, refs: ['<m1@x>', '<gone@x>'] },
        { n: 3, day: 3, refs: ['<m1@x>', '<gone@x>'] },
      ]),
    ).toBe('(1 (2)(3))');
    // <gone> -> 4 only: 4 is a thread of its own.
    expect(thread('REFERENCES', [{ n: 4, day: 1, refs: ['<gone@x>'] }])).toBe('(4)');
  });

  it('uses the In-Reply-To fallback the command gives, and follows it', () => {
    expect(
      thread('REFERENCES', [
        { n: 1, day: 1 },
        { n: 2, day: 2, refs: ['<m1@x>'] },
        { n: 3, day: 3, refs: ['<m2@x>'] },
      ]),
    ).toBe('(1 2 3)');
  });

  it('does not change an existing parent for a truncated References (1)(A)', () => {
    // 3 is 2's child; 4's References skips 2 ("<m1> <m3>"), so 3 stays under 2; 4 goes under 3.
    expect(
      thread('REFERENCES', [
        { n: 1, day: 1 },
        { n: 2, day: 2, refs: ['<m1@x>'] },
        { n: 3, day: 3, refs: ['<m1@x>', '<m2@x>'] },
        { n: 4, day: 4, refs: ['<m1@x>', '<m3@x>'] },
      ]),
    ).toBe('(1 2 3 4)');
  });

  it("replaces a parent an earlier message's References made with the message's own last reference (1)(B)", () => {
    // Message 2 says <x> follows <a>; message 3 (<x> itself) says its parent is <b>.
    expect(
      thread('REFERENCES', [
        { n: 1, day: 1, id: '<a@x>' },
        { n: 2, day: 4, refs: ['<a@x>', '<x@x>'] },
        { n: 3, day: 3, id: '<x@x>', refs: ['<b@x>'] },
        { n: 4, day: 2, id: '<b@x>' },
      ]),
    ).toBe('(1)(4 3 2)');
  });

  it('never makes a loop', () => {
    // 1 says it follows 2, 2 says it follows 1: the second link would close a loop.
    expect(
      thread('REFERENCES', [
        { n: 1, day: 1, refs: ['<m2@x>'] },
        { n: 2, day: 2, refs: ['<m1@x>'] },
      ]),
    ).toBe('(2 1)');
    // A References line that names one id twice or circles back.
    expect(
      thread('REFERENCES', [
        { n: 1, day: 1 },
        { n: 2, day: 2, refs: ['<m1@x>', '<m1@x>', '<a@x>', '<m1@x>'] },
      ]),
    ).toBe('(1 2)');
  });

  it('compares Message-IDs case-sensitively', () => {
    expect(
      thread('REFERENCES', [
        { n: 1, day: 1, id: '<A@x>', subject: 'one' },
        { n: 2, day: 2, refs: ['<a@x>'], subject: 'two' },
      ]),
    ).toBe('(1)(2)');
  });

  it('sorts siblings and threads by sent date, then mailbox order', () => {
    expect(
      thread('REFERENCES', [
        { n: 1, day: 5 },
        { n: 2, day: 1, refs: ['<m1@x>'] },
        { n: 3, day: 1, refs: ['<m1@x>'] },
        { n: 4, day: 0.5, refs: ['<m1@x>'] },
        { n: 5, day: 5 },
      ]),
    ).toBe('(1 (4)(2)(3))(5)');
  });

  describe('(5) gathering threads by base subject', () => {
    it('puts a reply under the message that is not one', () => {
      expect(
        thread('REFERENCES', [
          { n: 1, day: 2, subject: 'Re: Lunch' },
          { n: 2, day: 1, subject: 'lunch' },
          { n: 3, day: 3, subject: 'Fwd: LUNCH' },
        ]),
      ).toBe('(2 (1)(3))');
    });

    it('holds two messages that are both originals (or both replies) under a new dummy', () => {
      expect(
        thread('REFERENCES', [
          { n: 1, day: 1, subject: 'Lunch' },
          { n: 2, day: 2, subject: 'Lunch' },
          { n: 3, day: 3, subject: 'Re: Lunch' },
          { n: 4, day: 4, subject: 'Re: Lunch' },
        ]),
      ).toBe('((1)(2)(3)(4))');
      expect(
        thread('REFERENCES', [
          { n: 1, day: 1, subject: 'Re: Lunch' },
          { n: 2, day: 2, subject: 'Re: Lunch' },
        ]),
      ).toBe('((1)(2))');
    });

    it('prefers a dummy in the subject table, and joins two dummies', () => {
      // A dummy thread (2, 3 under <gone>) with subject "plan", a lone "plan" (1), another dummy (4, 5).
      expect(
        thread('REFERENCES', [
          { n: 1, day: 1, subject: 'plan' },
          { n: 2, day: 2, subject: 'Re: plan', refs: ['<gone@x>'] },
          { n: 3, day: 3, subject: 'Re: plan', refs: ['<gone@x>'] },
          { n: 4, day: 4, subject: 'plan', refs: ['<gone2@x>'] },
          { n: 5, day: 5, subject: 'plan', refs: ['<gone2@x>'] },
        ]),
      ).toBe('((1)(2)(3)(4)(5))');
    });

    it('keeps a thread with children together when it merges', () => {
      expect(
        thread('REFERENCES', [
          { n: 1, day: 1, subject: 'Trip' },
          { n: 2, day: 2, subject: 'Re: Trip', refs: ['<m1@x>'] },
          { n: 3, day: 3, subject: 'Re: trip' },
          { n: 4, day: 4, subject: 'other' },
        ]),
      ).toBe('(1 (2)(3))(4)');
    });

    it('never gathers empty subjects', () => {
      expect(
        thread('REFERENCES', [
          { n: 1, day: 1, subject: '' },
          { n: 2, day: 2, subject: 'Re:' },
          { n: 3, day: 3, subject: '   ' },
        ]),
      ).toBe('(1)(2)(3)');
    });
  });

  it('answers nothing for no messages', () => {
    expect(thread('REFERENCES', [])).toBe('');
    expect(thread('ORDEREDSUBJECT', [])).toBe('');
    expect(thread('REFS', [])).toBe('');
  });

  it('walks a reply chain 20,000 messages deep without overflowing the stack', () => {
    const specs: Spec[] = [];
    for (let n = 1; n <= 20_000; n += 1)
      specs.push({ n, day: n / 1000, subject: 'chain', refs: n === 1 ? [] : [`<m${n - 1}@x>`] });
    const data = thread('REFERENCES', specs);
    expect(data).toBe(`(${specs.map((spec) => spec.n).join(' ')})`);
    expect(thread('REFS', specs)).toBe(data);
  });
});

describe('ORDEREDSUBJECT (RFC 5256 4)', () => {
  it('makes the first message of each base subject the parent of the rest, threads by first date', () => {
    // RFC 5256 4's example shapes: (166)(167)...(174 (175)(176)...)...(194 195).
    expect(
      thread('ORDEREDSUBJECT', [
        { n: 1, day: 3, subject: 'Re: beta' },
        { n: 2, day: 1, subject: 'alpha' },
        { n: 3, day: 2, subject: 'BETA' },
        { n: 4, day: 4, subject: 'Fwd: Alpha' },
        { n: 5, day: 5, subject: '[list] alpha' },
        { n: 6, day: 0.5, subject: 'gamma' },
        { n: 7, day: 6, subject: 'delta', refs: ['<m6@x>'] },
      ]),
    ).toBe('(6)(2 (4)(5))(3 1)(7)');
  });

  it('ignores references', () => {
    expect(
      thread('ORDEREDSUBJECT', [
        { n: 1, day: 1, subject: 'a' },
        { n: 2, day: 2, subject: 'b', refs: ['<m1@x>'] },
      ]),
    ).toBe('(1)(2)');
  });
});

describe('REFS (Dovecot)', () => {
  it('orders threads by their newest message and does not gather by subject', () => {
    const specs: Spec[] = [
      { n: 1, day: 1, subject: 'old thread' },
      { n: 2, day: 2, subject: 'new thread' },
      { n: 3, day: 5, subject: 'Re: old thread', refs: ['<m1@x>'] },
      { n: 4, day: 3, subject: 'Re: new thread' },
    ];
    // REFERENCES: by first message, and 4 gathered under 2 by subject.
    expect(thread('REFERENCES', specs)).toBe('(1 3)(2 4)');
    // REFS: 2 (newest day 2), 4 (day 3), then 1's thread (newest day 5).
    expect(thread('REFS', specs)).toBe('(2)(4)(1 3)');
  });

  it('keeps siblings by sent date and a dummy that holds several threads', () => {
    expect(
      thread('REFS', [
        { n: 1, day: 9, refs: ['<gone@x>'] },
        { n: 2, day: 3, refs: ['<gone@x>'] },
        { n: 3, day: 4 },
      ]),
    ).toBe('(3)((2)(1))');
  });
});
