/**
 * Debian's Postfix as the SMTP peer: a private instance in a temp dir (its own main.cf, master.cf,
 * queue and data directories), smtpd on one loopback port, mail for bench.test delivered by the
 * virtual(8) agent into one Maildir. Queue files are fsynced before the 250, as Postfix always
 * does, so both servers acknowledge only durable mail. Runs only where Postfix is installed and
 * we are root; the caller skips it with a note otherwise.
 */
import { spawn, execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { onAbort } from '../cleanup.js';
import path from 'node:path';
import type { ServerTarget } from '../minimail-target.js';
import { freePort, treeRssBytes } from '../processes.js';
import { installed, isRoot, versionOf } from './which.js';

const POSTFIX = '/usr/sbin/postfix';
/** `nobody`: owns the delivered Maildir (virtual(8) refuses to deliver as root). */
const MAILBOX_UID = 65534;

export function postfixVersion(): string | null {
  if (!installed(POSTFIX) || !isRoot()) return null;
  // -d: the compiled-in value, so a package installed without a configuration (Debian's "No
  // configuration", no /etc/postfix/main.cf) is found too; the bench brings its own main.cf.
  const out = versionOf('/usr/sbin/postconf', ['-d', '-h', 'mail_version']);
  return out ? `Postfix ${out}` : null;
}

export async function startPostfix(): Promise<ServerTarget & { queueEmpty(): boolean }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'minimail-bench-postfix-'));
  chmodSync(dir, 0o755); // Postfix daemons run as `postfix` and must reach their directories.
  const etc = path.join(dir, 'etc');
  const queue = path.join(dir, 'queue');
  const data = path.join(dir, 'data');
  const vmail = path.join(dir, 'vmail');
  for (const sub of [etc, queue, data, vmail]) mkdirSync(sub);
  chownSync(vmail, MAILBOX_UID, MAILBOX_UID);
  execFileSync('chown', ['postfix', data]);
  const port = await freePort();
  writeFileSync(
    path.join(etc, 'main.cf'),
    [
      'compatibility_level = 3.6',
      `queue_directory = ${queue}`,
      `data_directory = ${data}`,
      'meta_directory = /etc/postfix',
      'mail_owner = postfix',
      'setgid_group = postdrop',
      'inet_interfaces = 127.0.0.1',
      'inet_protocols = ipv4',
      'myhostname = bench.local',
      'mydestination =',
      'mynetworks = 127.0.0.0/8',
      'smtpd_recipient_restrictions = permit_mynetworks, reject',
      // No DNS anywhere: no reverse lookups of clients, no MX lookups.
      'smtpd_peername_lookup = no',
      'smtp_dns_support_level = disabled',
      'virtual_mailbox_domains = bench.test',
      `virtual_mailbox_base = ${vmail}`,
      'virtual_mailbox_maps = static:box/',
      `virtual_uid_maps = static:${MAILBOX_UID}`,
      `virtual_gid_maps = static:${MAILBOX_UID}`,
      'virtual_mailbox_limit = 0',
      // The load comes from 127.0.0.x: no per-client throttling, room for 100 sessions.
      'smtpd_client_connection_count_limit = 0',
      'smtpd_client_connection_rate_limit = 0',
      'default_process_limit = 200',
      `maillog_file = ${path.join(dir, 'maillog')}`,
      // Postfix writes its log only under these prefixes.
      `maillog_file_prefixes = ${dir}`,
      '',
    ].join('\n'),
  );
  const master = readFileSync('/etc/postfix/master.cf', 'utf8').replace(
    /^smtp\s+inet\s+.*$/m,
    `127.0.0.1:${port} inet n - n - - smtpd`,
  );
  writeFileSync(path.join(etc, 'master.cf'), master);
  // A private instance is not chrooted (the chroot would need its own copies of /etc files).
  execFileSync('/usr/sbin/postconf', ['-c', etc, '-F', '*/*/chroot=n']);
  execFileSync(POSTFIX, ['-c', etc, 'check'], { stdio: 'ignore' });
  const master$ = spawn(POSTFIX, ['-c', etc, 'start-fg'], { stdio: 'ignore' });
  master$.once(
    'exit',
    onAbort(() => execFileSync(POSTFIX, ['-c', etc, 'stop'], { stdio: 'ignore' })),
  );
  await waitForPort(port, 20_000);
  const queueDirs = ['incoming', 'active', 'deferred', 'maildrop'].map((name) => path.join(queue, name));
  return {
    name: postfixVersion() ?? 'Postfix',
    ports: { smtp: port },
    rss: () => treeRssBytes(master$.pid!),
    queueEmpty: () => queueDirs.every((queueDir) => countFiles(queueDir) === 0),
    stop: async () => {
      try {
        execFileSync(POSTFIX, ['-c', etc, 'stop'], { stdio: 'ignore' });
      } catch {
        master$.kill('SIGTERM');
      }
      if (master$.exitCode === null) await new Promise((resolve) => master$.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function countFiles(dir: string): number {
  let count = 0;
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      count += entry.isDirectory() ? countFiles(path.join(dir, entry.name)) : 1;
  } catch {
    // A queue directory Postfix has not made yet holds nothing.
  }
  return count;
}

/** Resolves once something accepts connections on 127.0.0.1:port. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
