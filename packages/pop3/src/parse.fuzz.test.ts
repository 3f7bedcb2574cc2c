/**
 * Property tests of the POP3 command parser, then of whole sessions: random and mutated command
 * lines never throw, parse to what they say, and every reply of a real server is well-formed
 * (`+OK`/`-ERR` status lines, `+ ` SASL challenges, multi-line bodies ending in "."). The heap of
 * the parser stays flat. FUZZ_LONG=1 runs many more cases; FUZZ_SEED replays one run.
 */
import {
  FUZZ_LONG,
  FUZZ_SEED,
  RawClient,
  heapGrowthBytes,
  int,
  pick,
  prng,
} from '@minimail/protocol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommandLine, parseLineCount, parseMessageNumber, splitArguments } from './parse.js';
import { HOSTNAME, deliver, message, startHarness, type Harness } from './test-support/harness.js';

/** What clients send (fetchmail, Thunderbird, K-9, curl, Python poplib); STLS is left out (TLS is not fuzzed here). */
const CORPUS = [
  'CAPA',
  'USER alice@example.com',
  'PASS secret with spaces',
  'AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHNlY3JldA==',
  'AUTH PLAIN',
  'AUTH LOGIN',
  'APOP alice@example.com c4c9334bac560ecc979e58001b3e22fb',
  'STAT',
  'LIST',
  'LIST 1',
  'UIDL',
  'UIDL 2',
  'RETR 1',
  'TOP 1 0',
  'TOP 2 5',
  'DELE 1',
  'RSET',
  'NOOP',
  'UTF8',
  'QUIT',
];
const TOKENS = [
  '0',
  '-1',
  '4294967296',
  '99999999999',
  ' ',
  '  ',
  '\t',
  '\u0000',
  '\u00ff',
  'x'.repeat(300),
  '.',
  '*',
  '=',
];

function mutate(random: () => number, line: string): string {
  let out = line;
  for (let i = int(random, 3); i > 0; i--) {
    const at = int(random, out.length + 1);
    const r = random();
    if (r < 0.35) out = out.slice(0, at) + pick(random, TOKENS) + out.slice(at);
    else if (r < 0.55) out = out.slice(0, at) + String.fromCharCode(int(random, 256)) + out.slice(at + 1);
    else if (r < 0.75) out = out.slice(0, at) + out.slice(at + 1 + int(random, 4));
    else if (r < 0.85) out = out.toLowerCase();
    else out = out.slice(0, at);
  }
  return out.replace(/[\r\n]/g, '');
}

/**
 * A command line as it reaches the parser: `noise` of the time up to `maxNoiseOctets` random octets,
 * else a mutated corpus line; encoded as UTF-8 or Latin-1 at random.
 */
function randomLine(random: () => number, noise: number, maxNoiseOctets: number): Buffer {
  const line =
    random() < noise
      ? String.fromCharCode(...Array.from({ length: int(random, maxNoiseOctets) }, () => int(random, 256)))
      : mutate(random, pick(random, CORPUS));
  return Buffer.from(line, random() < 0.5 ? 'utf8' : 'latin1');
}

describe(`POP3 parser fuzz (seed ${FUZZ_SEED}; replay with FUZZ_SEED=${FUZZ_SEED})`, () => {
  it('parses every line to exactly what it says, or to null', () => {
    const random = prng(FUZZ_SEED);
    for (let i = 0, cases = FUZZ_LONG ? 500_000 : 20_000; i < cases; i++) {
      const raw = randomLine(random, 0.2, 30);
      const parsed = parseCommandLine(raw);
      if (parsed === null) continue;
      const text = raw.toString('utf8');
      const context = `seed ${FUZZ_SEED} case ${i} ${JSON.stringify(text)}`;
      expect(parsed.keyword, context).toMatch(/^[A-Z]{3,4}$/);
      // Keyword, one space, rest: nothing is lost or invented.
      expect(text.toUpperCase(), context).toBe(
        (parsed.rest === '' && !text.includes(' ')
          ? parsed.keyword
          : `${parsed.keyword} ${parsed.rest}`
        ).toUpperCase(),
      );
      for (const argument of splitArguments(parsed.rest)) {
        expect(argument, context).not.toMatch(/\s/);
        const number = parseMessageNumber(argument);
        if (number !== null) expect(String(number), context).toBe(argument);
        const count = parseLineCount(argument);
        if (count !== null) expect(String(count), context).toBe(argument);
      }
    }
  });

  it('parses every line as the text-level definition does (keyword regex on the decoded line)', () => {
    // The definition the byte-level parser must keep: decode, split at the first space, and
    // accept a keyword of 3 or 4 ASCII letters.
    const reference = (raw: Buffer): { keyword: string; rest: string } | null => {
      const text = raw.toString('utf8');
      const space = text.indexOf(' ');
      const keyword = space < 0 ? text : text.slice(0, space);
      if (!/^[A-Za-z]{3,4}$/.test(keyword)) return null;
      return { keyword: keyword.toUpperCase(), rest: space < 0 ? '' : text.slice(space + 1) };
    };
    const random = prng(FUZZ_SEED + 5);
    for (let i = 0, cases = FUZZ_LONG ? 500_000 : 20_000; i < cases; i++) {
      const raw = randomLine(random, 0.3, 12);
      expect(parseCommandLine(raw), `seed ${FUZZ_SEED} case ${i} ${raw.toString('hex')}`).toEqual(
        reference(raw),
      );
    }
  });

  it('keeps the heap flat over many parses', () => {
    const random = prng(FUZZ_SEED + 3);
    const round = (): void => {
      for (let i = 0; i < 20_000; i++) parseCommandLine(Buffer.from(mutate(random, pick(random, CORPUS))));
    };
    expect(heapGrowthBytes(round, FUZZ_LONG ? 30 : 3)).toBeLessThan(8 * 1024 * 1024);
  });
});

/** RFC 1939 3 / RFC 5034 4: a status line, or a SASL challenge. */
const STATUS = /^(?:\+OK(?: [^\r\n]*)?|-ERR(?: [^\r\n]*)?|\+ [A-Za-z0-9+/=]*)$/;
/** Commands whose +OK is followed by a multi-line body (RFC 1939 3, RFC 2449 5). */
function isMultiline(line: string): boolean {
  const parsed = parseCommandLine(Buffer.from(line, 'latin1'));
  if (!parsed) return false;
  const args = splitArguments(parsed.rest);
  return (
    parsed.keyword === 'CAPA' ||
    parsed.keyword === 'RETR' ||
    parsed.keyword === 'TOP' ||
    // A bare AUTH lists the SASL mechanisms (what Outlook sends), multi-line like LIST.
    ((parsed.keyword === 'LIST' || parsed.keyword === 'UIDL' || parsed.keyword === 'AUTH') &&
      args.length === 0)
  );
}

describe(`POP3 session fuzz (seed ${FUZZ_SEED})`, () => {
  let harness: Harness | null = null;
  afterEach(async () => {
    await harness?.close();
    harness = null;
  });

  it('answers random and mutated sessions with well-formed replies and keeps serving', async () => {
    harness = await startHarness();
    for (let i = 0; i < 3; i++)
      await deliver(harness.store, 'alice@example.com', message(`m${i}`, `.dot\r\nbody ${i}\r\n`));
    const random = prng(FUZZ_SEED + 11);
    const lines = FUZZ_LONG ? 5_000 : 400;
    let client: RawClient | null = null;
    let reconnects = 0;
    for (let i = 0; i < lines; i++) {
      if (client === null) {
        client = await harness.connect();
        expect(await client.readLine()).toBe(`+OK ${HOSTNAME} POP3 server ready`);
        // Half the sessions log in first, so TRANSACTION-state commands are reached too.
        if (random() < 0.5) {
          client.send('USER alice@example.com');
          await client.expect('+OK send PASS');
          client.send('PASS any');
          // Earlier sessions may have deleted messages, so the counts are not fixed.
          await client.expect(/^\+OK maildrop locked and ready, \d+ messages \(\d+ octets\)$/);
        }
      }
      const line = random() < 0.7 ? mutate(random, pick(random, CORPUS)) : pick(random, CORPUS);
      client.send(line);
      let reply: string | null = null;
      try {
        reply = await client.readLine();
      } catch {
        // The server hung up (an overlong line, too many unknown commands or failed logins).
      }
      if (reply !== null) {
        expect(reply, client.log.join('\n')).toMatch(STATUS);
        if (reply.startsWith('+OK') && isMultiline(line)) {
          const body = await client.readMultiline();
          // Dot-stuffing (RFC 1939 3): no body line is a lone "." before the terminator.
          expect(body.includes('.'), client.log.join('\n')).toBe(false);
        }
      }
      if (reply === null || (reply.startsWith('+OK') && /^quit$/i.test(line.trim()))) {
        await client.close();
        client = null;
        reconnects++;
      }
    }
    await client?.close();
    // After all that, a normal session still works.
    const normal = await harness.connect();
    await normal.expect(`+OK ${HOSTNAME} POP3 server ready`);
    normal.send('USER bob@example.com');
    await normal.expect('+OK send PASS');
    normal.send('PASS any');
    await normal.expect('+OK maildrop locked and ready, 0 messages (0 octets)');
    normal.send('QUIT');
    await normal.expect('+OK bye, 0 messages left');
    expect(reconnects).toBeGreaterThan(0);
  });
});
