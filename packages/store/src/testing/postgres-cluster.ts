/**
 * A private PostgreSQL cluster for tests (the store's contract suite, the two-node e2e tests):
 * Debian's `postgresql` binaries, `initdb` into a temp dir, the server on a free loopback port with
 * its unix socket in that dir, stopped and removed by `stop()`. As root it runs the server as the
 * `postgres` user (the server refuses to run as root); otherwise as the current user. `.ci/run`
 * installs the package. Not part of the store's runtime: published as `@minimail/store/testing`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The superuser the cluster is created with (trust authentication on loopback and its socket). */
const SUPERUSER = 'minimail';

export interface PostgresCluster {
  readonly port: number;
  readonly dir: string;
  /** A URL for `database` on this cluster (TCP on 127.0.0.1, as a deployment would use). */
  url(database: string): string;
  /** Creates a fresh, empty database and returns its name. */
  createDatabase(name?: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** Stops the server (immediate) and removes its files. */
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL's bin directory, or null when none is installed. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : join(root, versions[0], 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary as the account that owns the cluster. */
function asOwner(bin: string, args: string[]): Promise<{ stdout: string }> {
  const isRoot = process.getuid?.() === 0;
  return isRoot ? run('runuser', ['-u', 'postgres', '--', bin, ...args]) : run(bin, args);
}

let counter = 0;

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (bin === null)
    throw new Error('PostgreSQL is not installed (apt-get install -y postgresql; .ci/run does)');
  const dir = mkdtempSync(join(tmpdir(), 'minimail-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  await asOwner(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    SUPERUSER,
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const port = await freePort();
  // Test speed on a shared machine: the server's own fsync is off (a test never crashes the
  // server, only minimail nodes; synchronous_commit=on, which the store sets, still makes every
  // COMMIT wait for its WAL write). max_connections covers several nodes per test file.
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  try {
    await asOwner(join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-o',
      serverOptions,
      '-l',
      log,
      '-w',
      '-t',
      '60',
      'start',
    ]);
  } catch (error) {
    const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${String(error)}\n${text}`);
  }
  const psql = (database: string, sql: string): Promise<{ stdout: string }> =>
    run(join(bin, 'psql'), [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      SUPERUSER,
      '-d',
      database,
      '-v',
      'ON_ERROR_STOP=1',
      '-qAtc',
      sql,
    ]);
  return {
    port,
    dir,
    url: (database) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`,
    async createDatabase(name) {
      counter += 1;
      const database = name ?? `t_${process.pid}_${counter}_${Date.now().toString(36)}`;
      await psql('postgres', `CREATE DATABASE "${database}"`);
      return database;
    },
    async dropDatabase(name) {
      await psql('postgres', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
    async stop() {
      await asOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(
        () => undefined,
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
