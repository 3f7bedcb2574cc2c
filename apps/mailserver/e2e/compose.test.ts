/** docker-compose.yml is checked by Debian's `docker-compose config` (no Docker engine is needed). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

describe.skipIf(!available)('docker-compose.yml', () => {
  it('is valid and runs smtp, imap and pop3 from one image over one data volume', () => {
    const root = repositoryRoot();
    const out = execFileSync('docker-compose', ['-f', path.join(root, 'docker-compose.yml'), 'config'], {
      encoding: 'utf8',
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const config = parse(out) as {
      services: Record<
        string,
        {
          image?: string;
          command: string[];
          volumes: string[];
          ports: Array<{ target: number }>;
          environment: Record<string, string>;
          healthcheck?: { test: string[] };
          sysctls?: Record<string, string | number> | string[];
        }
      >;
      volumes: Record<string, unknown>;
    };
    expect(Object.keys(config.services).sort()).toEqual(['imap', 'pop3', 'smtp']);
    const expected = {
      smtp: ['smtp,submission,relay,http', [25, 465, 587]],
      imap: ['imap,http', [143, 993]],
      pop3: ['pop3,http', [110, 995]],
    } as const;
    for (const [name, [services, ports]] of Object.entries(expected)) {
      const service = config.services[name]!;
      expect(service.image).toBe('minimail:latest');
      expect(service.command).toEqual(['serve', '--services', services]);
      expect(service.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:8025/healthz');
      expect(service.volumes).toEqual(['maildata:/data:rw']);
      expect(service.ports.map((p) => p.target).sort((a, b) => a - b)).toEqual([...ports]);
      expect(service.environment['MINIMAIL_PROFILE']).toBe('production');
      expect(service.environment['MINIMAIL_DATA_DIR']).toBe('/data');
      // The image runs unprivileged (Dockerfile USER node) and still binds ports below 1024.
      expect(JSON.stringify(service.sysctls)).toMatch(/net\.ipv4\.ip_unprivileged_port_start["=:]+"?0/);
    }
    expect(Object.keys(config.volumes)).toEqual(['maildata']);
  });
});

describe('Dockerfile', () => {
  it('builds an image that runs as the unprivileged node user with a data dir it owns', () => {
    const dockerfile = readFileSync(path.join(repositoryRoot(), 'Dockerfile'), 'utf8');
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^RUN mkdir -p \/data && chown node:node \/data$/m);
    expect(finalStage).toMatch(/^USER node$/m);
    expect(finalStage.indexOf('USER node')).toBeLessThan(finalStage.indexOf('ENTRYPOINT'));
  });
});
