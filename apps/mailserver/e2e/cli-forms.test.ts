/**
 * Every form of the command line (issue 17), through the built bin in a child process: help and
 * group help, --version, global options anywhere, --json, a closed pipe, the password prompt on a
 * terminal (through `script`, which gives the child a pty), "did you mean", completion, one-line
 * errors, backup/restore progress and status.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@minimail/store';
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, cliEnv, freePort, runCli, startServer, tempDataDir, type RunningServer } from './support.js';

const PTY_RUN = fileURLToPath(new URL('./pty-run.py', import.meta.url));
const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Runs `bash -c script` (for pipes and completion), with the bin as $MINIMAIL. */
function bash(
  script: string,
  env: NodeJS.ProcessEnv,
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync('bash', ['-c', script], {
    env: { ...env, MINIMAIL: `${process.execPath} ${BIN}` },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs the CLI on a fresh pseudo-terminal (Python's pty module; echo on, as on a login terminal),
 * typing each answer once its prompt is shown.
 */
function onTerminal(
  args: string[],
  env: NodeJS.ProcessEnv,
  answers: { prompt: string; type: string }[] = [],
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [PTY_RUN, JSON.stringify(answers), process.execPath, BIN, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('minimail command line forms', () => {
  let data: ReturnType<typeof tempDataDir>;
  let env: NodeJS.ProcessEnv;
  let server: RunningServer | undefined;
  beforeEach(() => {
    data = tempDataDir();
    env = cliEnv(data.dir, { MINIMAIL_PROFILE: 'production' });
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    data.cleanup();
  });

  it('prints the version, help, help for a command and group help on stdout with exit 0', async () => {
    expect(await runCli(['--version'], env)).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(await runCli(['-V'], env)).toMatchObject({ code: 0, stdout: `${VERSION}\n` });

    const help = await runCli(['help'], env);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: minimail \[--config FILE\] COMMAND \[ARGS\]\n/);
    for (const line of ['  user COMMAND', '  status [--json]', '  backup FILE', 'MINIMAIL_DATA_DIR']) {
      expect(help.stdout).toContain(line);
    }
    expect((await runCli(['--help'], env)).stdout).toBe(help.stdout);

    const addHelp = await runCli(['help', 'user', 'add'], env);
    expect(addHelp).toMatchObject({ code: 0, stderr: '' });
    expect(addHelp.stdout).toMatch(
      /^Usage: minimail user add ADDRESS \[--password P \| --password-stdin\]\n/,
    );
    expect(addHelp.stdout).toContain('--password-stdin');
    expect((await runCli(['user', 'add', '--help'], env)).stdout).toBe(addHelp.stdout);

    const group = await runCli(['user'], env);
    expect(group).toMatchObject({ code: 0, stderr: '' });
    expect(group.stdout).toMatch(/^Usage: minimail user COMMAND \[ARGS\]\n/);
    for (const sub of ['add ADDRESS', 'passwd ADDRESS', 'del ADDRESS', 'list [--json]']) {
      expect(group.stdout).toContain(`  ${sub}`);
    }
    expect((await runCli(['help', 'user'], env)).stdout).toBe(group.stdout);

    // No command at all: the usage on stderr, exit 2 (a script that forgot its command fails).
    const none = await runCli([], env);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^Usage: minimail /);
  });

  it('takes --config FILE before or after the command', async () => {
    const configDir = tempDataDir();
    try {
      const file = path.join(configDir.dir, 'minimail.json');
      writeFileSync(
        file,
        JSON.stringify({ profile: 'production', dataDir: path.join(configDir.dir, 'data') }),
      );
      const noDataDir = { ...env, MINIMAIL_DATA_DIR: undefined, MINIMAIL_PROFILE: undefined };
      expect(await runCli(['--config', file, 'domain', 'add', 'example.com'], noDataDir)).toMatchObject({
        code: 0,
        stderr: '',
      });
      expect(await runCli(['domain', 'list', '--config', file], noDataDir)).toEqual({
        code: 0,
        stdout: 'example.com\n',
        stderr: '',
      });
      expect(await runCli(['domain', '--config', file, 'list'], noDataDir)).toMatchObject({
        stdout: 'example.com\n',
      });
      // The data dir of the config file was used, not the one in the environment of other tests.
      expect((await runCli(['domain', 'list'], env)).stdout).toBe('');
    } finally {
      configDir.cleanup();
    }
  });

  it('prints JSON with --json on every list and on status', async () => {
    await runCli(['domain', 'add', 'example.com'], env);
    await runCli(['user', 'add', 'alice@example.com', '--password', 'pw'], env);
    await runCli(['alias', 'add', 'postmaster@example.com', 'alice@example.com'], env);

    const domains = await runCli(['domain', 'list', '--json'], env);
    expect(JSON.parse(domains.stdout)).toEqual([{ name: 'example.com' }]);
    const users = JSON.parse((await runCli(['user', 'list', '--json'], env)).stdout) as unknown[];
    expect(users).toEqual([
      {
        address: 'alice@example.com',
        hasPassword: true,
        createdAt: expect.any(String),
        quota: { limitBytes: null, limitMessages: null, usedBytes: 0, usedMessages: 0 },
      },
    ]);
    const aliases = await runCli(['alias', 'list', '--json'], env);
    expect(JSON.parse(aliases.stdout)).toEqual([
      { source: 'postmaster@example.com', destination: 'alice@example.com' },
    ]);
    const mailboxes = JSON.parse(
      (await runCli(['mailbox', 'list', 'alice@example.com', '--json'], env)).stdout,
    );
    expect(mailboxes).toContainEqual({ name: 'INBOX', messages: 0, unseen: 0, size: 0 });
    expect(mailboxes).toHaveLength(6);
    expect(JSON.parse((await runCli(['queue', 'list', '--json'], env)).stdout)).toEqual([]);
    const status = JSON.parse((await runCli(['status', '--json'], env)).stdout) as {
      profile: string;
      users: { address: string }[];
    };
    expect(status.profile).toBe('production');
    expect(status.users.map((user) => user.address)).toEqual(['alice@example.com']);
  });

  it('exits 0 quietly when the reader of its output goes away (| head -1)', async () => {
    await runCli(['domain', 'add', 'example.com'], env);
    for (const name of ['a', 'b', 'c']) {
      await runCli(['user', 'add', `${name}@example.com`, '--password', 'pw'], env);
    }
    const head = bash('set -o pipefail; $MINIMAIL user list | head -1', env);
    expect(head).toEqual({ code: 0, stdout: 'a@example.com\n', stderr: '' });
    // A reader that is gone before the first write: the write fails with EPIPE, the exit stays 0.
    const gone = bash('set -o pipefail; $MINIMAIL user list --json | true', env);
    expect(gone).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('suggests the command or option that was meant', async () => {
    expect(await runCli(['usr', 'list'], env)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'minimail: unknown command: usr (did you mean user?)\n',
    });
    expect(await runCli(['user', 'lsit'], env)).toMatchObject({
      code: 2,
      stderr: 'minimail: unknown command: user lsit (did you mean user list?)\n',
    });
    expect(await runCli(['user', 'add', 'a@example.com', '--pasword', 'x'], env)).toMatchObject({
      code: 2,
      stderr:
        "minimail: user add: unknown option '--pasword' (did you mean --password?) " +
        '(usage: minimail user add ADDRESS [--password P | --password-stdin])\n',
    });
  });

  it('asks for a password on a terminal without echoing it', async () => {
    await runCli(['domain', 'add', 'example.com'], env);
    const run = await onTerminal(['user', 'add', 'tty@example.com'], env, [
      { prompt: 'Password: ', type: 'typed-secret\r' },
      { prompt: 'Password (again): ', type: 'typed-secret\r' },
    ]);
    expect(run.code).toBe(0);
    expect(run.output).toContain('Password: ');
    expect(run.output).toContain('Password (again): ');
    expect(run.output).not.toContain('typed-secret');
    const store = openStore({ path: path.join(data.dir, 'minimail.sqlite') });
    try {
      expect((await store.verifyPassword('tty@example.com', 'typed-secret'))?.address).toBe(
        'tty@example.com',
      );
    } finally {
      await store.close();
    }

    const mismatch = await onTerminal(['user', 'passwd', 'tty@example.com'], env, [
      { prompt: 'Password: ', type: 'one\r' },
      { prompt: 'Password (again): ', type: 'two\r' },
    ]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.output).toContain('minimail: the passwords do not match');

    // Without a terminal there is no prompt: the missing password is a usage error.
    expect(await runCli(['user', 'add', 'pipe@example.com'], env)).toMatchObject({
      code: 2,
      stderr: 'minimail: a password is required: --password P or --password-stdin\n',
    });
  });

  it('prints bash and zsh completion that complete commands, subcommands and options', async () => {
    const bashScript = await runCli(['completion', 'bash'], env);
    expect(bashScript.code).toBe(0);
    const complete = (line: string): string[] => {
      const words = line.split(' ');
      const result = bash(
        `eval "$($MINIMAIL completion bash)"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); ` +
          `COMP_CWORD=${words.length - 1}; _minimail; printf '%s\\n' "\${COMPREPLY[@]}"`,
        env,
      );
      expect(result.stderr).toBe('');
      return result.stdout.split('\n').filter(Boolean);
    };
    expect(complete('minimail us')).toEqual(['user']);
    expect(complete('minimail user ').sort()).toEqual([
      '--config',
      '--help',
      'add',
      'app-password',
      'del',
      'list',
      'passwd',
      'quota',
    ]);
    expect(complete('minimail user add alice@example.com --pass')).toEqual([
      '--password',
      '--password-stdin',
    ]);
    expect(complete('minimail --config x.json user l')).toEqual(['list']);
    expect(complete('minimail status --j')).toEqual(['--json']);

    const zsh = await runCli(['completion', 'zsh'], env);
    expect(zsh.stdout).toMatch(/^#compdef minimail\n/);
    const which = spawnSync('bash', ['-c', 'command -v zsh']);
    if (which.status !== 0) {
      console.warn('zsh completion: not run, zsh is not installed (.ci/run installs it)');
      return;
    }
    const zshRun = spawnSync('zsh', ['-f', '-c', `${zsh.stdout}\nprint -r -- \${_comps[minimail]}`], {
      encoding: 'utf8',
      env: { ...env, HOME: data.dir },
    });
    expect(zshRun.stderr).toBe('');
    expect(zshRun.stdout).toMatch(/_bash_complete/);

    expect(await runCli(['completion', 'fish'], env)).toMatchObject({
      code: 2,
      stderr: 'minimail: completion: unknown shell "fish" (known: bash, zsh)\n',
    });
  });

  it('demo says in one line that nothing listens', async () => {
    const port = await freePort();
    const result = await runCli(['demo'], {
      ...env,
      MINIMAIL_PROFILE: 'dev',
      MINIMAIL_SMTP_PORT: String(port),
      MINIMAIL_POP3_PORT: '1',
      MINIMAIL_IMAP_PORT: '1',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `minimail: cannot reach SMTP at 127.0.0.1:${port} (connection refused): is \`minimail serve\` running?\n`,
    );
  });

  it('shows backup and restore progress on a terminal, and none in a pipe', async () => {
    await runCli(['domain', 'add', 'example.com'], env);
    const file = path.join(data.dir, 'copy.sqlite');
    const piped = await runCli(['backup', file], env);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toMatch(/^backup written to .*copy\.sqlite \(\d+ bytes\)\n$/);

    const backup = await onTerminal(['backup', file], env);
    expect(backup.code).toBe(0);
    expect(backup.output).toMatch(/backup: 0 B of [\d.]+ KiB \(0%\)/);
    expect(backup.output).toMatch(/backup: [\d.]+ KiB of [\d.]+ KiB \(100%\)/);
    expect(backup.output).toContain('backup written to');

    const restore = await onTerminal(['restore', file], env);
    expect(restore.code).toBe(0);
    expect(restore.output).toMatch(/restore: [\d.]+ KiB of [\d.]+ KiB \(100%\)/);
    expect(restore.output).toContain('restored ');
    expect((await runCli(['domain', 'list'], env)).stdout).toBe('example.com\n');
  });

  it('status says which listeners answer and how much mail each mailbox holds', async () => {
    const smtp = await freePort();
    const devEnv = cliEnv(data.dir, { MINIMAIL_SMTP_PORT: String(smtp), MINIMAIL_LOG_LEVEL: 'warn' });
    server = await startServer(['--services', 'smtp'], { ...devEnv, MINIMAIL_LOG_LEVEL: 'info' });
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp,
      secure: false,
      ignoreTLS: true,
    });
    for (const subject of ['one', 'two']) {
      await transport.sendMail({ from: 'a@example.test', to: 'bob@example.test', subject, text: 'hello' });
    }
    transport.close();

    const json = JSON.parse((await runCli(['status', '--json'], devEnv)).stdout) as {
      listeners: { listener: string; address: string | null; state: string }[];
      users: { address: string; mailboxes: { name: string; messages: number; unseen: number }[] }[];
    };
    expect(json.listeners.find((l) => l.listener === 'smtp')).toMatchObject({
      address: `127.0.0.1:${smtp}`,
      state: 'listening',
    });
    expect(json.listeners.find((l) => l.listener === 'imap')).toMatchObject({ address: null, state: 'off' });
    const bob = json.users.find((user) => user.address === 'bob@example.test');
    expect(bob?.mailboxes.find((m) => m.name === 'INBOX')).toMatchObject({ messages: 2, unseen: 2 });

    const text = await runCli(['status'], devEnv);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`smtp +127\\.0\\.0\\.1:${smtp} +listening`));
    expect(text.stdout).toMatch(/^ {4}INBOX +2 +2 +\d+$/m);
  });
});
