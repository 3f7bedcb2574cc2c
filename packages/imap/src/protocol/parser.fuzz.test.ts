/**
 * Property tests of the IMAP wire reader and parser: random and mutated client transcripts, cut
 * into random chunks. CommandAssembler never throws and yields the same events however the bytes
 * are chunked; every frame it yields either parses to a command with a valid tag or fails with the
 * typed ImapWireError, whose reply is one well-formed status line (RFC 3501 7.1); the heap stays
 * flat. FUZZ_LONG=1 runs many more cases; FUZZ_SEED replays one run.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CommandAssembler, type AssemblerEvent } from './assembler.js';
import { errorResponse } from './error-response.js';
import { ImapWireError } from './errors.js';
import { parseCommand } from './parser.js';
import { isValidTag } from './syntax.js';
import { FUZZ_LONG, FUZZ_SEED, int, pick, prng } from '@minimail/protocol/testing';

/** Commands real clients send (Thunderbird, mutt, imapflow), literals included. */
const CORPUS = [
  'a1 CAPABILITY',
  'a2 LOGIN alice@example.com "secret pass"',
  'a3 LOGIN {17}\r\nalice@example.com {6}\r\nsecret',
  'a4 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==',
  'a5 SELECT INBOX',
  'a6 EXAMINE "Archive/2024"',
  'a7 LIST "" "*"',
  'a8 LIST (SUBSCRIBED) "" "%" RETURN (CHILDREN SPECIAL-USE)',
  'a9 STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)',
  'b1 FETCH 1:* (FLAGS)',
  'b2 UID FETCH 1:100,200,300:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID)])',
  'b3 FETCH 5 (ENVELOPE BODYSTRUCTURE INTERNALDATE)',
  'b4 UID FETCH 7 BODY.PEEK[1.2.MIME]<0.1024>',
  'b5 FETCH 1,2,3 BODY[]',
  'b6 UID STORE 1:5 +FLAGS.SILENT (\\Seen \\Flagged $Forwarded)',
  'b7 STORE 3 -FLAGS (\\Deleted)',
  'b8 UID SEARCH UNSEEN SINCE 1-Jan-2024 NOT FROM "bob" OR SUBJECT hi BODY {3}\r\nfoo',
  'b9 SEARCH CHARSET UTF-8 TEXT "caf\u00e9"',
  'c1 APPEND Sent (\\Seen) "25-Nov-2026 00:00:00 +0000" {23}\r\nSubject: x\r\n\r\nhello\r\n',
  'c2 APPEND INBOX {5+}\r\nhello',
  'c3 UID EXPUNGE 1:3',
  'c4 EXPUNGE',
  'c5 COPY 1:2 Trash',
  'c6 UID MOVE 9 "Junk"',
  'c7 CREATE "Projects/minimail"',
  'c8 RENAME Old New',
  'c9 DELETE Old',
  'd1 IDLE',
  'DONE',
  'd2 NOOP',
  'd3 ID ("name" "Thunderbird" "version" "128.0")',
  'd4 ENABLE CONDSTORE UTF8=ACCEPT',
  'd5 NAMESPACE',
  'd6 UNSELECT',
  'd7 LOGOUT',
  'd8 SUBSCRIBE INBOX',
  'd9 LSUB "" *',
];

/** Tokens that stress the grammar: literal markers, nesting, quoting, numbers at the edges. */
const HOSTILE_TOKENS = [
  '{',
  '}',
  '{0}',
  '{1}',
  '{5+}',
  '{99999999999}',
  '{-1}',
  '{4294967296}',
  '(',
  ')',
  '((((((((((((((((((((',
  '"',
  '\\',
  '"\\"',
  '*',
  '$',
  '%',
  ']',
  '[',
  '<',
  '>',
  '<0.99999999999999>',
  '0',
  '4294967296',
  '1:*',
  '*:*',
  ',',
  'UID',
  'NIL',
  '~{3}',
  '\u0000',
  '\u00ff',
  '\ud83d\ude00',
  ' ',
  '  ',
  '\r',
  '\n',
  '\r\n',
  'BODY[',
  'BODY.PEEK[HEADER.FIELDS (',
  'NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT ALL',
  'OR OR OR OR OR OR OR OR OR OR OR OR OR OR OR OR OR ALL ALL',
];

function mutate(random: () => number, line: string): string {
  let out = line;
  const rounds = int(random, 4);
  for (let i = 0; i < rounds; i++) {
    const at = int(random, out.length + 1);
    const r = random();
    if (r < 0.35) out = out.slice(0, at) + pick(random, HOSTILE_TOKENS) + out.slice(at);
    else if (r < 0.5) out = out.slice(0, at) + String.fromCharCode(int(random, 256)) + out.slice(at + 1);
    else if (r < 0.65) out = out.slice(0, at) + out.slice(at + 1 + int(random, 8));
    else if (r < 0.75) out = out.slice(0, at);
    else if (r < 0.85) out = out.slice(0, at) + ' ' + pick(random, CORPUS) + out.slice(at);
    else if (r < 0.92) out = out.toLowerCase();
    else out = out.slice(0, at) + 'x'.repeat(int(random, 2000)) + out.slice(at);
  }
  return out;
}

/** A transcript of 1-20 commands, mostly real, some mutated, some pure noise. */
function randomTranscript(random: () => number): Buffer {
  const parts: Buffer[] = [];
  const count = 1 + int(random, 20);
  for (let i = 0; i < count; i++) {
    const r = random();
    let text: string;
    if (r < 0.4) text = pick(random, CORPUS);
    else if (r < 0.9) text = mutate(random, pick(random, CORPUS));
    else text = Array.from({ length: int(random, 60) }, () => String.fromCharCode(int(random, 256))).join('');
    parts.push(Buffer.from(text, random() < 0.8 ? 'utf8' : 'latin1'));
    parts.push(Buffer.from(random() < 0.9 ? '\r\n' : '\n'));
  }
  return Buffer.concat(parts);
}

/** Small limits so that limit paths (too long, too big) are hit often. */
const LIMITS = { maxLineLength: 512, maxLiteralSize: 256, maxAppendSize: 1024, maxCommandSize: 2048 };

function assemble(input: Buffer, cuts: number[]): AssemblerEvent[] {
  const assembler = new CommandAssembler(LIMITS);
  const events: AssemblerEvent[] = [];
  let offset = 0;
  for (const cut of [...cuts, input.length]) {
    events.push(...assembler.push(input.subarray(offset, cut)));
    offset = cut;
  }
  return events;
}

function comparable(events: AssemblerEvent[]): unknown[] {
  return events.map((event) =>
    event.kind === 'command'
      ? { segments: event.frame.segments, literals: event.frame.literals.map((l) => l.toString('latin1')) }
      : event.kind === 'continue'
        ? 'continue'
        : { error: event.error.code, tag: event.error.tag, close: event.error.closeConnection },
  );
}

/** RFC 3501 7.1: `tag|* SP OK|NO|BAD [SP "[" code "]"] SP text CRLF`, one line, nothing else. */
const STATUS_LINE = /^(?:\*|[^\s+]+) (?:NO|BAD) (?:\[[^\]\r\n]+\] )?[^\r\n]*\r\n$/;

function checkFrames(events: AssemblerEvent[], context: string): void {
  for (const event of events) {
    if (event.kind === 'error') {
      expect(event.error, context).toBeInstanceOf(ImapWireError);
      expect(errorResponse(event.error).toString('utf8'), context).toMatch(STATUS_LINE);
      continue;
    }
    if (event.kind !== 'command') continue;
    expect(event.frame.segments.length, context).toBe(event.frame.literals.length + 1);
    try {
      const command = parseCommand(event.frame, { allowSavedResult: true });
      expect(isValidTag(command.tag), context).toBe(true);
      expect(typeof command.name, context).toBe('string');
    } catch (error) {
      if (!(error instanceof ImapWireError)) {
        throw new Error(`${context}: parseCommand threw an untyped error on ${JSON.stringify(event.frame)}`, {
          cause: error,
        });
      }
      const reply = errorResponse(error).toString('utf8');
      expect(reply, `${context} ${JSON.stringify(event.frame.segments)}`).toMatch(STATUS_LINE);
      if (error.tag !== null) expect(isValidTag(error.tag), context).toBe(true);
    }
  }
}

describe(`IMAP CommandAssembler + parseCommand fuzz (seed ${FUZZ_SEED}; replay with FUZZ_SEED=${FUZZ_SEED})`, () => {
  it('reads every transcript the same however it is chunked, and answers every frame well-formed', () => {
    const random = prng(FUZZ_SEED);
    const cases = FUZZ_LONG ? 100_000 : 4_000;
    for (let i = 0; i < cases; i++) {
      const input = randomTranscript(random);
      const context = `seed ${FUZZ_SEED} case ${i}`;
      const whole = assemble(input, []);
      const cuts = Array.from({ length: int(random, 12) }, () => int(random, input.length + 1)).sort(
        (a, b) => a - b,
      );
      const chunked = assemble(input, cuts);
      expect(comparable(chunked), context).toEqual(comparable(whole));
      // Byte by byte too, sometimes: the slowest possible client.
      if (i % 50 === 0) {
        const bytes = Array.from({ length: input.length }, (_, k) => k);
        expect(comparable(assemble(input, bytes)), context).toEqual(comparable(whole));
      }
      checkFrames(whole, context);
    }
  });

  it('parses single mutated lines without an untyped throw', () => {
    const random = prng(FUZZ_SEED ^ 0x1234567);
    const cases = FUZZ_LONG ? 200_000 : 8_000;
    for (let i = 0; i < cases; i++) {
      const line = mutate(random, mutate(random, pick(random, CORPUS))).replace(/[\r\n]/g, ' ');
      checkFrames(
        [{ kind: 'command', frame: { segments: [line], literals: [] } }],
        `seed ${FUZZ_SEED} line ${i}`,
      );
    }
  });

  it('keeps the heap flat while one assembler reads an endless hostile stream', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const random = prng(FUZZ_SEED + 7);
    let assembler = new CommandAssembler(LIMITS);
    const round = (): void => {
      for (let i = 0; i < 2_000; i++) {
        checkFrames(assembler.push(randomTranscript(random)), `seed ${FUZZ_SEED} stream`);
        // A failed stream means the server closed the connection: the next client starts afresh.
        if (assembler.failed) assembler = new CommandAssembler(LIMITS);
      }
    };
    round();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let r = 0; r < (FUZZ_LONG ? 30 : 3); r++) round();
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(8 * 1024 * 1024);
  });
});
