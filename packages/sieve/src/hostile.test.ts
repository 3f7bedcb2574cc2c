/**
 * Hostile scripts: each must end quickly with a parse error (at upload) or a runtime error (at
 * delivery, which then keeps the message), never with a stack overflow, a hang or unbounded memory.
 */
import { describe, expect, it } from 'vitest';
import { compileScript } from './compile.js';
import { SieveParseError, SieveRuntimeError } from './errors.js';
import { runSieve, runSieveSafely } from './interpreter.js';
import { DEFAULT_LIMITS } from './limits.js';
import { messageFromRaw } from './message.js';
import { msg, run } from './test-support/run.js';

const envelope = { from: 'a@b.example', to: 'me@example.com' };

describe('parse limits', () => {
  it('a script over maxScriptBytes', () => {
    expect(() => compileScript('#'.repeat(DEFAULT_LIMITS.maxScriptBytes + 1))).toThrow(
      `line 1: script larger than ${DEFAULT_LIMITS.maxScriptBytes} octets`,
    );
  });
  it('blocks nested deeper than maxNesting', () => {
    const n = DEFAULT_LIMITS.maxNesting + 1;
    const s = 'if true {\n'.repeat(n) + '}'.repeat(n);
    expect(() => compileScript(s)).toThrow(
      `line ${DEFAULT_LIMITS.maxNesting + 1}: nesting deeper than ${DEFAULT_LIMITS.maxNesting}`,
    );
  });
  it('tests nested 50000 deep (no stack overflow)', () => {
    const s = 'if ' + 'not '.repeat(50_000) + 'true { keep; }';
    expect(() => compileScript(s)).toThrow(`nesting deeper than ${DEFAULT_LIMITS.maxNesting}`);
    const t = 'if ' + 'anyof('.repeat(50_000) + 'true' + ')'.repeat(50_000) + ' { keep; }';
    expect(() => compileScript(t)).toThrow(SieveParseError);
  });
  it('a huge quoted string and a huge multi-line string', () => {
    const big = 'x'.repeat(DEFAULT_LIMITS.maxStringLength + 1);
    expect(() => compileScript(`require "reject"; reject "${big}";`)).toThrow(
      `line 1: string longer than ${DEFAULT_LIMITS.maxStringLength} characters`,
    );
    expect(() => compileScript(`require "reject";\nreject text:\n${big}\n.\n;`)).toThrow(
      `line 2: string longer than`,
    );
  });
  it('a string list over maxListItems', () => {
    const list = Array.from({ length: DEFAULT_LIMITS.maxListItems + 1 }, () => '"a"').join(',');
    expect(() => compileScript(`if header :is [${list}] "x" { keep; }`)).toThrow(
      `string list longer than ${DEFAULT_LIMITS.maxListItems}`,
    );
  });
  it('a number past 2^53', () => {
    expect(() => compileScript('if size :over 99999999999999999999G { keep; }')).toThrow(
      'line 1: number too large',
    );
  });
});

describe('runtime limits (the message is kept)', () => {
  const message = messageFromRaw(msg('From: a@b.example\nTo: me@example.com\nSubject: hi\n\nbody\n'));

  it('endless redirects stop at maxRedirects', () => {
    const list = Array.from({ length: 50 }, (_, i) => `redirect "r${i}@example.net";`).join('\n');
    const r = runSieveSafely(compileScript(list), { message, envelope });
    expect(r.error?.code).toBe('too-many-redirects');
    expect(r.actions).toEqual([{ type: 'keep', flags: [] }]);
  });
  it('variable doubling stops at maxStringLength', () => {
    const s = 'require "variables"; set "a" "xxxxxxxxxxxxxxxx";\n' + 'set "a" "${a}${a}";\n'.repeat(40);
    const r = runSieveSafely(compileScript(s), { message, envelope });
    expect(r.error?.code).toBe('string-too-long');
  });
  it('too many actions', () => {
    const s =
      'require "fileinto";\n' + Array.from({ length: 100 }, (_, i) => `fileinto "box${i}";`).join('\n');
    expect(runSieveSafely(compileScript(s), { message, envelope }).error?.code).toBe('too-many-actions');
  });
  it('too many variables', () => {
    const s = 'require "variables";\n' + Array.from({ length: 300 }, (_, i) => `set "v${i}" "x";`).join('\n');
    expect(runSieveSafely(compileScript(s), { message, envelope }).error?.code).toBe('too-many-variables');
  });
  it('a script including itself (endless include) is a loop error', () => {
    const s = 'require "include"; include "me";';
    const r = runSieveSafely(compileScript(s), { message, envelope, loadScript: () => s });
    expect(r.error?.code).toBe('include-loop');
    expect(r.actions).toEqual([{ type: 'keep', flags: [] }]);
  });
  it('a chain of distinct includes stops at maxIncludeDepth', () => {
    const r = runSieveSafely(compileScript('require "include"; include "s0";'), {
      message,
      envelope,
      loadScript: (name) => `require "include"; include "s${Number(name.slice(1)) + 1}";`,
    });
    expect(r.error?.code).toBe('include-limit');
  });
  it('a wide include fan-out stops at maxIncludes', () => {
    const s = 'require "include";\n' + Array.from({ length: 40 }, (_, i) => `include "s${i}";`).join('\n');
    const r = runSieveSafely(compileScript(s), { message, envelope, loadScript: () => 'keep;' });
    expect(r.error?.code).toBe('include-limit');
  });
  it('a pathological :matches pattern against a long value is linear, and the step budget holds', () => {
    const long = 'a'.repeat(20_000);
    const raw = msg(`Subject: ${long}\n\nx\n`);
    const pattern = '*a'.repeat(30) + 'b';
    const s = `if header :matches "subject" "${pattern}" { discard; }`;
    const r = runSieve(compileScript(s), { message: messageFromRaw(raw), envelope });
    // O(value x pattern): 20000 x 61 steps at most, well inside the budget, and no match
    expect(r.actions).toEqual([{ type: 'keep', flags: [] }]);
    expect(r.steps).toBeLessThan(20_000 * 62 + 100);
    const tight = runSieveSafely(compileScript(s), {
      message: messageFromRaw(raw),
      envelope,
      limits: { maxSteps: 10_000 },
    });
    expect(tight.error?.code).toBe('step-budget');
  });
  it('the wall-clock budget stops a run whose clock says time is up', () => {
    let t = 0;
    const s = 'if header :matches "subject" "' + '*a'.repeat(30) + 'b" { discard; }';
    const raw = msg(`Subject: ${'a'.repeat(20_000)}\n\nx\n`);
    const r = runSieveSafely(compileScript(s), {
      message: messageFromRaw(raw),
      envelope,
      clock: () => (t += 600),
    });
    expect(r.error).toBeInstanceOf(SieveRuntimeError);
    expect(r.error?.code).toBe('cpu-time');
  });
  it('a fileinto into an empty mailbox name is a runtime error', () => {
    expect(() => run('require ["fileinto","variables"]; fileinto "${nothing}";', 'x: y\n\nz\n')).toThrow(
      'fileinto an empty mailbox name',
    );
  });
});
