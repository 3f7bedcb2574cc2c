import path from 'node:path';
import { copyStore, isPostgresUrl, type CopyEndpoint } from '@minimail/store';
import { CliError } from '../cli-error.js';
import type { Config } from '../config.js';
import { printJson, println } from '../io.js';
import { postgresSettingsOf } from '../open-store.js';
import { storePath } from '../paths.js';
import type { CommandSpec } from './command.js';

/** The configured store as a copy endpoint. */
function configuredEndpoint(config: Config): CopyEndpoint {
  const postgres = postgresSettingsOf(config);
  return postgres === null
    ? { kind: 'sqlite', path: storePath(config.dataDir) }
    : { kind: 'postgres', settings: postgres };
}

/** `postgres://...` (the configured pool/TLS settings apply), or a SQLite file path. */
function endpointOf(target: string, config: Config): CopyEndpoint {
  if (isPostgresUrl(target)) {
    const { url: _configured, ...rest } = postgresSettingsOf(config) ?? { url: '' };
    return { kind: 'postgres', settings: { ...rest, url: target } };
  }
  return { kind: 'sqlite', path: path.resolve(target.replace(/^sqlite:/, '')) };
}

function describe(endpoint: CopyEndpoint): string {
  return endpoint.kind === 'sqlite' ? endpoint.path : endpoint.settings.url.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * `minimail store copy --to URL|FILE`: moves a deployment between backends (docs/adr/0015). The
 * logic is the store's `copyStore`: one snapshot of the source, one durable transaction into an
 * empty target, then every row read back and compared, bodies hashed again.
 */
export const storeCommands: Record<string, CommandSpec> = {
  'store copy': {
    usage: 'store copy --to URL|FILE [--from URL|FILE]',
    summary: 'copy the whole store into an empty PostgreSQL database or SQLite file, verified',
    arity: 0,
    json: true,
    options: {
      to: { type: 'string', description: 'target: postgres://... or a SQLite file path' },
      from: { type: 'string', description: 'source (default: the configured store)' },
    },
    run: async ({ config, io, options, json }) => {
      if (typeof options['to'] !== 'string') throw new CliError('store copy: --to URL|FILE is required', 2);
      const from =
        typeof options['from'] === 'string'
          ? endpointOf(options['from'], config)
          : configuredEndpoint(config);
      const to = endpointOf(options['to'], config);
      const report = await copyStore(from, to);
      if (json) {
        printJson(io.stdout, { from: describe(from), to: describe(to), ...report });
        return;
      }
      for (const [table, rows] of Object.entries(report.rows)) println(io.stdout, `${table}: ${rows}`);
      println(
        io.stdout,
        `copied ${describe(from)} -> ${describe(to)}; verified every row and ${report.bodiesVerified} body hashes`,
      );
    },
  },
};
