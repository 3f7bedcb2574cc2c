/**
 * Debian's Dovecot as the IMAP and POP3 peer: a private instance (its own dovecot.conf, base and
 * state directories), plaintext logins on loopback ports, any user with one static password,
 * Maildir under a temp home per user. Mail is seeded by writing Maildir files directly, the
 * format's own way of receiving mail. Runs only where Dovecot is installed and we are root.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onAbort } from '../cleanup.js';
import type { ServerTarget } from '../minimail-target.js';
import { freePort, stopChild, treeRssBytes } from '../processes.js';
import { waitForPort } from './postfix.js';
import { installed, isRoot, versionOf } from './which.js';

const DOVECOT = '/usr/sbin/dovecot';
/** Dovecot's POP3 server, from Debian's dovecot-pop3d. */
const DOVECOT_POP3 = '/usr/lib/dovecot/pop3';
const MAILBOX_UID = 65534;
export const DOVECOT_PASSWORD = 'bench';

export function dovecotVersion(): string | null {
  if (!installed(DOVECOT) || !isRoot()) return null;
  const out = versionOf(DOVECOT, ['--version']);
  return out ? `Dovecot ${out.split(' ')[0]}` : null;
}

export interface DovecotInstance {
  /**
   * Writes `count` messages into `user`'s INBOX (Maildir cur/), before the server starts, with the
   * flags `flags(index)` gives (only `\\Seen` is written, as the `S` of the file name's info).
   */
  seed(
    user: string,
    count: number,
    message: (index: number) => Buffer,
    flags?: (index: number) => string[],
  ): void;
  start(): Promise<ServerTarget>;
  dispose(): Promise<void>;
}

export function createDovecot(): DovecotInstance {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'minimail-bench-dovecot-'));
  chmodSync(dir, 0o755);
  const home = path.join(dir, 'home');
  mkdirSync(home);
  let stop: (() => Promise<void>) | null = null;
  return {
    seed(user, count, message, flags) {
      const maildir = path.join(home, user, 'Maildir');
      for (const sub of ['cur', 'new', 'tmp']) mkdirSync(path.join(maildir, sub), { recursive: true });
      const base = Math.floor(Date.now() / 1000);
      const cur = `${maildir}/cur/`;
      for (let i = 0; i < count; i++) {
        const raw = message(i);
        const seen = flags?.(i).includes('\\Seen') ? 'S' : '';
        // Maildir name: unique part, then S=<size> (lets Dovecot skip a stat) and the flags. One
        // synchronous open/write/close per file: the fewest system calls a Maildir file can take.
        writeFileSync(`${cur}${base + i}.M${i}P${process.pid}.bench,S=${raw.length}:2,${seen}`, raw);
      }
    },
    async start() {
      execFileSync('chown', ['-R', `${MAILBOX_UID}:${MAILBOX_UID}`, home]);
      // dovecot-imapd without dovecot-pop3d (the CI installs only the former): IMAP alone, rather
      // than a master that never listens on the POP3 port and fails the IMAP cells with it.
      const pop3 = existsSync(DOVECOT_POP3);
      const imapPort = await freePort();
      const pop3Port = await freePort();
      const conf = path.join(dir, 'dovecot.conf');
      writeFileSync(
        conf,
        `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap${pop3 ? ' pop3' : ''}
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
  args = uid=${MAILBOX_UID} gid=${MAILBOX_UID} home=${home}/%u
}
mail_location = maildir:~/Maildir
first_valid_uid = 1
# Room for the bench's concurrent clients: Dovecot runs one imap/pop3 process per connection.
default_process_limit = 2000
default_client_limit = 20000
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${pop3Port}
  }
  inet_listener pop3s {
    port = 0
  }
}
pop3_uidl_format = %08Xu%08Xv
`,
      );
      mkdirSync(path.join(dir, 'state'), { recursive: true });
      const master = spawn(DOVECOT, ['-c', conf, '-F'], { stdio: 'ignore' });
      // SIGTERM: the master then stops its own children (a SIGKILL would orphan them).
      master.once(
        'exit',
        onAbort(() => master.kill('SIGTERM')),
      );
      await waitForPort(imapPort, 20_000);
      if (pop3) await waitForPort(pop3Port, 20_000);
      stop = () => stopChild(master);
      return {
        name: dovecotVersion() ?? 'Dovecot',
        ports: pop3 ? { imap: imapPort, pop3: pop3Port } : { imap: imapPort },
        rss: () => treeRssBytes(master.pid!),
        stop: async () => {
          await stopChild(master);
          stop = null;
        },
      };
    },
    async dispose() {
      await stop?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
