import type { Quota } from '@minimail/store';
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

/** `--messages 10000` or `none` -> a message count or null. */
export function parseMessageCount(text: string): number | null {
  if (text === 'none') return null;
  if (!/^\d+$/.test(text.trim())) throw new CliError(`not a message count: ${text} (e.g. 10000, none)`, 2);
  return Number(text);
}

const percent = (used: number, limit: number): number => (limit > 0 ? Math.floor((used / limit) * 100) : 100);

function describe(quota: Quota): string {
  const limit =
    quota.limitBytes === null
      ? 'no limit'
      : `${formatBytes(quota.limitBytes)} (${quota.source}), ${percent(quota.usedBytes, quota.limitBytes)}% used`;
  const messages =
    quota.limitMessages === null
      ? ''
      : `; ${quota.usedMessages} of ${quota.limitMessages} messages, ${percent(quota.usedMessages, quota.limitMessages)}% used`;
  return `${formatBytes(quota.usedBytes)} in ${quota.usedMessages} messages of ${limit}${messages}`;
}

const messagesOption = {
  messages: {
    type: 'string' as const,
    description: 'also set the limit on the number of messages (a count, or none)',
  },
};

export const quotaCommands: Record<string, CommandSpec> = {
  'user quota': {
    usage: 'user quota ADDRESS [SIZE|none] [--messages N|none] [--json]',
    summary: "show a user's storage use and limits, or set them (none: the domain's default)",
    arity: [1, 2],
    json: true,
    options: messagesOption,
    run: (ctx) =>
      withStore(ctx.config, async (store) => {
        const [address, size] = ctx.args as [string, string | undefined];
        const messages = ctx.options['messages'];
        const count = typeof messages === 'string' ? parseMessageCount(messages) : undefined;
        const bytes = size !== undefined ? parseQuotaSize(size) : undefined;
        if (bytes !== undefined) await store.setQuota(address, bytes, 'STORAGE');
        if (count !== undefined) await store.setQuota(address, count, 'MESSAGE');
        const quota = await store.getQuota(address);
        if (ctx.json) printJson(ctx.io.stdout, quota);
        else println(ctx.io.stdout, describe(quota));
      }),
  },
  'domain quota': {
    usage: 'domain quota DOMAIN SIZE|none [--messages N|none]',
    summary: "set the default limits of a domain's users",
    arity: 2,
    options: messagesOption,
    run: (ctx) =>
      withStore(ctx.config, async (store) => {
        const [domain, size] = ctx.args as [string, string];
        const messages = ctx.options['messages'];
        const count = typeof messages === 'string' ? parseMessageCount(messages) : undefined;
        await store.setDomainQuota(domain, parseQuotaSize(size), 'STORAGE');
        if (count !== undefined) await store.setDomainQuota(domain, count, 'MESSAGE');
      }),
  },
};
