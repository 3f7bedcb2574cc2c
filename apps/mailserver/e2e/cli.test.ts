import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, runCli, tempDataDir } from './support.js';

describe('minimail admin commands', () => {
  let data: ReturnType<typeof tempDataDir>;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    data = tempDataDir();
    env = cliEnv(data.dir, { MINIMAIL_PROFILE: 'production' });
  });
  afterEach(() => data.cleanup());

  it('adds, lists and removes domains', async () => {
    expect(await runCli(['domain', 'add', 'Example.COM'], env)).toMatchObject({ code: 0, stderr: '' });
    expect(await runCli(['domain', 'add', 'other.test'], env)).toMatchObject({ code: 0 });
    const list = await runCli(['domain', 'list'], env);
    expect(list.stdout.split('\n').filter(Boolean).sort()).toEqual(['example.com', 'other.test']);
    expect(await runCli(['domain', 'del', 'other.test'], env)).toMatchObject({ code: 0 });
    expect((await runCli(['domain', 'list'], env)).stdout).toBe('example.com\n');
  });

  it('adds users with --password and --password-stdin, changes and deletes them', async () => {
    await runCli(['domain', 'add', 'example.com'], env);
    expect(await runCli(['user', 'add', 'alice@example.com', '--password', 'secret1'], env)).toMatchObject({
      code: 0,
      stderr: '',
    });
    expect(
      await runCli(['user', 'add', 'bob@example.com', '--password-stdin'], env, 'hunter2\n'),
    ).toMatchObject({
      code: 0,
    });
    expect((await runCli(['user', 'list'], env)).stdout.split('\n').filter(Boolean).sort()).toEqual([
      'alice@example.com',
      'bob@example.com',
    ]);
    expect(await runCli(['user', 'passwd', 'bob@example.com', '--password', 'new-pass'], env)).toMatchObject({
      code: 0,
    });
    const mailboxes = await runCli(['mailbox', 'list', 'alice@example.com'], env);
    expect(mailboxes.stdout).toBe('INBOX\t0\nArchive\t0\nDrafts\t0\nJunk\t0\nSent\t0\nTrash\t0\n');
    expect(await runCli(['user', 'del', 'bob@example.com'], env)).toMatchObject({ code: 0 });
    expect((await runCli(['user', 'list'], env)).stdout).toBe('alice@example.com\n');
  });

  it('manages aliases and catch-alls', async () => {
    await runCli(['domain', 'add', 'example.com'], env);
    await runCli(['user', 'add', 'alice@example.com', '--password', 'pw'], env);
    expect(await runCli(['alias', 'add', 'postmaster@example.com', 'alice@example.com'], env)).toMatchObject({
      code: 0,
    });
    expect(await runCli(['alias', 'add', '@example.com', 'alice@example.com'], env)).toMatchObject({
      code: 0,
    });
    const list = await runCli(['alias', 'list'], env);
    expect(list.stdout.split('\n').filter(Boolean).sort()).toEqual([
      '@example.com\talice@example.com',
      'postmaster@example.com\talice@example.com',
    ]);
    expect(await runCli(['alias', 'del', '@example.com'], env)).toMatchObject({ code: 0 });
    expect((await runCli(['alias', 'list'], env)).stdout).toBe('postmaster@example.com\talice@example.com\n');
  });

  it('fails with one clear line and a non-zero exit code', async () => {
    const noDomain = await runCli(['user', 'add', 'carol@nowhere.test', '--password', 'x'], env);
    expect(noDomain.code).toBe(1);
    expect(noDomain.stderr.trim().split('\n')).toHaveLength(1);
    expect(noDomain.stderr).toBe('minimail: domain nowhere.test is not a local domain; add it first\n');

    const noPassword = await runCli(['user', 'add', 'carol@example.com'], env);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toBe('minimail: a password is required: --password P or --password-stdin\n');

    const unknown = await runCli(['frobnicate'], env);
    expect(unknown).toMatchObject({ code: 2, stderr: 'minimail: unknown command: frobnicate\n' });

    const arity = await runCli(['alias', 'add', 'only-one@example.com'], env);
    expect(arity).toMatchObject({ code: 2, stderr: 'minimail: usage: minimail alias add FROM TO\n' });

    const noUser = await runCli(['mailbox', 'list', 'ghost@example.com'], env);
    expect(noUser).toMatchObject({ code: 1, stderr: 'minimail: no such user: ghost@example.com\n' });

    const bad = await runCli(['user', 'add', 'not-an-address', '--password', 'x'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('names the bad configuration key', async () => {
    const badPort = await runCli(['domain', 'list'], { ...env, MINIMAIL_SMTP_PORT: 'twenty-five' });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/^minimail: configuration: MINIMAIL_SMTP_PORT: /);

    const badProfile = await runCli(['domain', 'list'], { ...env, MINIMAIL_PROFILE: 'staging' });
    expect(badProfile.stderr).toBe(
      'minimail: configuration: MINIMAIL_PROFILE: must be one of dev, production\n',
    );
  });
});
