/** Issue 18, quotas from the command line: limits per user and per domain, usage counted exactly. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, tempDataDir } from './support.js';

describe('minimail user quota / domain quota', () => {
  let data: ReturnType<typeof tempDataDir>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    data = tempDataDir();
    env = cliEnv(data.dir);
    for (const args of [
      ['domain', 'add', 'example.test'],
      ['user', 'add', 'q@example.test', '--password', 'pw'],
    ]) {
      expect((await runCli(args, env)).code).toBe(0);
    }
  });
  afterAll(() => data?.cleanup());

  it('shows the domain default, a user limit, and the exact use after an import', async () => {
    expect((await runCli(['domain', 'quota', 'example.test', '1M'], env)).code).toBe(0);
    expect((await runCli(['user', 'quota', 'q@example.test'], env)).stdout).toBe(
      '0 B in 0 messages of 1.0 MiB (domain), 0% used\n',
    );
    // Two messages of known stored size (CRLF): 2 x 2,000 octets.
    const body = 'x'.repeat(2000 - 'Subject: a\r\n\r\n'.length - 2);
    const mbox = path.join(data.dir, 'in.mbox');
    writeFileSync(
      mbox,
      `From a@b Mon Jan  1 00:00:00 2024\nSubject: a\n\n${body}\n\nFrom a@b Mon Jan  1 00:00:01 2024\nSubject: b\n\n${body}\n\n`,
    );
    expect((await runCli(['import', 'q@example.test', mbox], env)).code).toBe(0);
    const set = await runCli(['user', 'quota', 'q@example.test', '10K'], env);
    expect(set.stdout).toBe('3.9 KiB in 2 messages of 10.0 KiB (user), 39% used\n');
    const json = JSON.parse((await runCli(['user', 'quota', 'q@example.test', '--json'], env)).stdout);
    expect(json).toEqual({
      limitBytes: 10240,
      source: 'user',
      limitMessages: null,
      usedBytes: 4000,
      usedMessages: 2,
    });
    const users = JSON.parse((await runCli(['user', 'list', '--json'], env)).stdout);
    expect(users[0].quota).toEqual({
      limitBytes: 10240,
      limitMessages: null,
      usedBytes: 4000,
      usedMessages: 2,
    });
    const reset = JSON.parse(
      (await runCli(['user', 'quota', 'q@example.test', 'none', '--json'], env)).stdout,
    );
    expect(reset).toEqual({
      limitBytes: 1048576,
      source: 'domain',
      limitMessages: null,
      usedBytes: 4000,
      usedMessages: 2,
    });
  });

  it('sets message limits per user and per domain', async () => {
    expect((await runCli(['domain', 'quota', 'example.test', '1M', '--messages', '100'], env)).code).toBe(0);
    expect((await runCli(['user', 'quota', 'q@example.test'], env)).stdout).toBe(
      '3.9 KiB in 2 messages of 1.0 MiB (domain), 0% used; 2 of 100 messages, 2% used\n',
    );
    const set = await runCli(['user', 'quota', 'q@example.test', '--messages', '4', '--json'], env);
    expect(JSON.parse(set.stdout)).toMatchObject({ limitBytes: 1048576, limitMessages: 4, usedMessages: 2 });
    const bad = await runCli(['user', 'quota', 'q@example.test', '--messages', 'many'], env);
    expect([bad.code, bad.stderr]).toEqual([2, 'minimail: not a message count: many (e.g. 10000, none)\n']);
  });

  it('refuses a bad size in one line', async () => {
    const bad = await runCli(['user', 'quota', 'q@example.test', 'lots'], env);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'minimail: not a size: lots (e.g. 500M, 2G, 1048576, none)\n',
    ]);
  });
});
