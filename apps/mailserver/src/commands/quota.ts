import { CliError } from '../cli-error.js';
import { printJson, println } from '../io.js';
import { formatBytes } from '../progress.js';
import type { CommandSpec } from './command.js';
import { withStore } from './with-store.js';

/** `500M`, `2G`, `1048576`, `none` -> octets or null (binary units, as mail clients show sizes). */
export function parseQuotaSize(text: string): number | null {
  if (text === 'none') return null;
  const match = /^(\d+)([KMGT]?)$/i.exec(text.trim());
  if (!match) throw new CliError(`not a size: ${text} (e.g. 500M, 2G, 1048576, none)`, 2);
  const power = ' KMGT'.indexOf((match[2] || ' ').toUpperCase());
  return Number(match[1]) * 1024 ** power;
}

function describe(quota: {
  limitBytes: number | null;
  usedBytes: number;
  usedMessages: number;
  source: string;
}): string {
  const limit =
    quota.limitBytes === null
      ? 'no limit'
      : `${formatBytes(quota.limitBytes)} (${quota.source}), ${quota.limitBytes > 0 ? Math.floor((quota.usedBytes / quota.limitBytes) * 100) : 100}% used`;
  return `${formatBytes(quota.usedBytes)} in ${quota.usedMessages} messages of ${limit}`;
}

export const quotaCommands: Record<string, CommandSpec> = {
  'user quota': {
    usage: 'user quota ADDRESS [SIZE|none] [--json]',
    summary: "show a user's storage use and limit, or set the limit (none: the domain's default)",
    arity: [1, 2],
    json: true,
    run: (ctx) =>
      withStore(ctx.config, async (store) => {
        const [address, size] = ctx.args as [string, string | undefined];
        if (size !== undefined) await store.setQuota(address, parseQuotaSize(size));
        const quota = await store.getQuota(address);
        if (ctx.json) printJson(ctx.io.stdout, quota);
        else println(ctx.io.stdout, describe(quota));
      }),
  },
  'domain quota': {
    usage: 'domain quota DOMAIN SIZE|none',
    summary: "set the default storage limit of a domain's users",
    arity: 2,
    run: (ctx) =>
      withStore(ctx.config, (store) => store.setDomainQuota(ctx.args[0]!, parseQuotaSize(ctx.args[1]!))),
  },
};
