/**
 * Debian's Dovecot (dovecot-imapd) as the server a user moves away from: a private instance with
 * its own dovecot.conf, base and state directories in a temp dir, IMAP on a loopback port, any
 * user name with one static password, Maildir++ under a temp home owned by a non-root mail user
 * (65534, `nobody`). Started as root, as Dovecot's master must be to switch to that user; the tests
 * skip visibly where Dovecot is missing or we are not root (.ci/run installs it; CI runs as root).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './support.js';

const DOVECOT = '/usr/sbin/dovecot';
const MAIL_UID = 65534;
export const DOVECOT_PASSWORD = 'peer-secret';

export function dovecotUnavailable(): string | null {
  if (!existsSync(DOVECOT)) return 'Dovecot is not installed (apt-get install dovecot-imapd; .ci/run does)';
  if (process.getuid?.() !== 0) return "Dovecot's master must start as root to switch to the mail user";
  return null;
}

export interface DovecotPeer {
  imapPort: number;
  /** The Maildir++ root of a user (exists once the user has logged in). */
  maildir(user: string): string;
  /** Makes a Maildir++ tree (e.g. a minimail export) the given user's mail, owned by the mail user. */
  adopt(user: string, maildir: string): void;
  log(): string;
  stop(): Promise<void>;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Dovecot did not listen on ${port} within ${timeoutMs} ms`);
}

export async function startDovecot(): Promise<DovecotPeer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'minimail-dovecot-peer-'));
  chmodSync(dir, 0o755);
  const home = path.join(dir, 'home');
  mkdirSync(home);
  execFileSync('chown', [`${MAIL_UID}:${MAIL_UID}`, home]);
  mkdirSync(path.join(dir, 'state'));
  const imapPort = await freePort();
  const conf = path.join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = static
  args = password=${DOVECOT_PASSWORD}
}
userdb {
  driver = static
  args = uid=${MAIL_UID} gid=${MAIL_UID} home=${home}/%u
}
mail_location = maildir:~/Maildir
first_valid_uid = 1
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
`,
  );
  const master: ChildProcess = spawn(DOVECOT, ['-c', conf, '-F'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => master.once('exit', () => resolve()));
  await waitForPort(imapPort, 20_000);
  return {
    imapPort,
    maildir: (user) => path.join(home, user, 'Maildir'),
    adopt(user, maildir) {
      mkdirSync(path.join(home, user), { recursive: true });
      cpSync(maildir, path.join(home, user, 'Maildir'), { recursive: true, preserveTimestamps: true });
      execFileSync('chown', ['-R', `${MAIL_UID}:${MAIL_UID}`, path.join(home, user)]);
    },
    log: () =>
      existsSync(path.join(dir, 'dovecot.log')) ? readFileSync(path.join(dir, 'dovecot.log'), 'utf8') : '',
    async stop() {
      if (master.exitCode === null && master.signalCode === null) master.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
