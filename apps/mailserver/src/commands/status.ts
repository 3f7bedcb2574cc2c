/**
 * `minimail status`: what runs where (each configured listener, and whether something answers on
 * it) and how much mail each mailbox holds. Read-only: it opens the store only if it exists.
 */
import { existsSync, statSync } from 'node:fs';
import net from 'node:net';
import type { MailStore } from '@minimail/store';
import { LISTENERS, LISTENER_NAMES, type ListenerName } from '../config.js';
import { printJson, println } from '../io.js';
import { storePath } from '../paths.js';
import type { CommandSpec } from './command.js';
import { withStore } from './with-store.js';

/** How long a listener may take to accept a probe connection before it counts as not listening. */
const PROBE_TIMEOUT_MS = 1500;

export interface ListenerStatus {
  listener: ListenerName;
  what: string;
  /** `host:port` it is configured on, or null when its port is 0 (off). */
  address: string | null;
  state: 'listening' | 'not listening' | 'off';
}

export interface MailboxCount {
  name: string;
  messages: number;
  unseen: number;
  /** Octets of all its messages. */
  size: number;
}

/** Whether a TCP connection to host:port is accepted (something listens there). */
export function probe(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A wildcard bind address is probed on loopback, where the listener also answers. */
function probeHost(bind: string): string {
  if (bind === '0.0.0.0') return '127.0.0.1';
  if (bind === '::') return '::1';
  return bind;
}

async function mailCounts(store: MailStore) {
  const users = [];
  for (const user of await store.listUsers()) {
    const mailboxes: MailboxCount[] = [];
    const list = (await store.listMailboxes(user.id)).sort(
      (a, b) => Number(b.name === 'INBOX') - Number(a.name === 'INBOX') || a.name.localeCompare(b.name),
    );
    for (const mailbox of list) {
      const { messages, unseen, size } = await store.mailboxStatus(mailbox.id);
      mailboxes.push({ name: mailbox.name, messages, unseen, size });
    }
    users.push({ address: user.address, mailboxes });
  }
  return users;
}

export const statusCommand: CommandSpec = {
  usage: 'status [--json]',
  summary: 'what runs where (which listeners answer) and how much mail each mailbox holds',
  arity: 0,
  json: true,
  run: async ({ config, io, json }) => {
    const host = probeHost(config.bind);
    const listeners: ListenerStatus[] = await Promise.all(
      LISTENER_NAMES.map(async (listener): Promise<ListenerStatus> => {
        const port = config.ports[listener];
        const what = LISTENERS[listener].what;
        if (port === 0) return { listener, what, address: null, state: 'off' };
        const up = await probe(host, port);
        return {
          listener,
          what,
          address: `${config.bind}:${port}`,
          state: up ? 'listening' : 'not listening',
        };
      }),
    );
    const file = storePath(config.dataDir);
    const exists = existsSync(file);
    const users = exists ? await withStore(config, mailCounts) : [];
    const report = {
      profile: config.profile,
      hostname: config.hostname,
      dataDir: config.dataDir,
      store: { path: file, exists, size: exists ? statSync(file).size : 0 },
      listeners,
      users,
    };
    if (json) return printJson(io.stdout, report);

    const out = (line: string): void => println(io.stdout, line);
    out(`profile    ${report.profile}`);
    out(`hostname   ${report.hostname}`);
    out(`data dir   ${report.dataDir}`);
    out(`store      ${file} ${exists ? `(${report.store.size} bytes)` : '(not created yet)'}`);
    out('');
    out('listeners:');
    for (const l of listeners) {
      out(`  ${l.listener.padEnd(12)} ${(l.address ?? '-').padEnd(22)} ${l.state.padEnd(14)} ${l.what}`);
    }
    out('');
    if (users.length === 0) {
      out('mailboxes: none yet');
      return;
    }
    out('mailboxes (messages, unseen, bytes):');
    for (const user of users) {
      out(`  ${user.address}`);
      for (const m of user.mailboxes) {
        out(
          `    ${m.name.padEnd(20)} ${String(m.messages).padStart(7)} ${String(m.unseen).padStart(7)} ${String(m.size).padStart(12)}`,
        );
      }
    }
  },
};
