/** docker-compose.postgres.yml (two nodes on one PostgreSQL) is checked by `docker-compose config`. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repositoryRoot } from '../src/paths.js';

function dockerCompose(): boolean {
  try {
    execFileSync('docker-compose', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const available = dockerCompose();
if (!available) console.warn('SKIPPED: docker-compose is not installed (.ci/run installs it)');

interface Service {
  image?: string;
  command?: string[];
  volumes: string[];
  ports?: Array<{ target: number; published: number | string }>;
  environment: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

describe.skipIf(!available)('docker-compose.postgres.yml', () => {
  it('is valid: a postgres service and two full nodes on its one database, each with its own volume', () => {
    const root = repositoryRoot();
    const out = execFileSync(
      'docker-compose',
      ['-f', path.join(root, 'docker-compose.postgres.yml'), 'config'],
      {
        encoding: 'utf8',
        cwd: root,
        env: { PATH: process.env['PATH'], MINIMAIL_DB_PASSWORD: 's3cret' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const config = parse(out) as { services: Record<string, Service>; volumes: Record<string, unknown> };
    expect(Object.keys(config.services).sort()).toEqual(['node-a', 'node-b', 'postgres']);
    const postgres = config.services['postgres']!;
    expect(postgres.image).toBe('postgres:15');
    expect(postgres.environment).toMatchObject({ POSTGRES_USER: 'minimail', POSTGRES_PASSWORD: 's3cret' });
    expect(postgres.healthcheck?.test).toEqual(['CMD', 'pg_isready', '-U', 'minimail', '-d', 'minimail']);
    const published: number[] = [];
    for (const name of ['node-a', 'node-b']) {
      const node = config.services[name]!;
      expect(node.image).toBe('minimail:latest');
      expect(node.command).toEqual(['serve', '--services', 'smtp,submission,relay,imap,pop3,http']);
      expect(node.environment['MINIMAIL_DATABASE_URL']).toBe(
        'postgres://minimail:s3cret@postgres:5432/minimail',
      );
      expect(node.environment['MINIMAIL_PROFILE']).toBe('production');
      expect(node.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
      expect(node.volumes).toEqual([`${name}:/data:rw`]);
      expect(node.ports?.map((p) => p.target).sort((a, b) => a - b)).toEqual([
        25, 110, 143, 465, 587, 993, 995,
      ]);
      published.push(...(node.ports ?? []).map((p) => Number(p.published)));
    }
    // The two nodes never compete for one host port.
    expect(new Set(published).size).toBe(published.length);
    expect(Object.keys(config.volumes).sort()).toEqual(['node-a', 'node-b', 'pgdata']);
  });
});
