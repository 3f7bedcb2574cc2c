/**
 * A private Rspamd (Debian's package) for tests: its normal worker and controller on free loopback
 * ports, a temp config over the system one ($LOCAL_CONFDIR), every network module off and DNS
 * pointed at 127.0.0.1:1 (nothing answers, nothing leaves the machine), Bayes in SQLite files, and
 * two test rules (a header X-Minimail-Test: borderline scores 9, grey 4.5) so that results are
 * deterministic: add_header at 6, greylist at 4, reject at 15; GTUBE rejects. A tiny URL suffix
 * list keeps its start to seconds. Exported as
 * @minimail/smtp/testing for the app's end-to-end tests.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const hasRspamd = (() => {
  try {
    execFileSync('rspamd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Modules that would ask DNS, Redis or the internet (rspamd 3.x names). */
const NETWORK_MODULES = [
  'spf',
  'dkim',
  'dmarc',
  'rbl',
  'surbl',
  'asn',
  'phishing',
  'arc',
  'dkim_signing',
  'mx_check',
  'url_redirector',
  'emails',
  'replies',
  'ratelimit',
  'greylist',
  'neural',
  'fuzzy_check',
  'once_received',
  'hfilter',
  'milter_headers',
  'history_redis',
  'whitelist',
  'reputation',
  'dcc',
  'spamassassin',
  'external_services',
  'antivirus',
  'metadata_exporter',
  'clickhouse',
  'elastic',
  'maillist',
  'p0f',
  'rspamd_update',
  'bimi',
  'known_senders',
];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RspamdServer {
  url: string;
  controllerUrl: string;
  /** Stops it (SIGTERM, then waits for the exit). */
  stop(): Promise<void>;
  /** The controller's /stat (learned, scanned ...). */
  stat(): Promise<{ learned: number; scanned: number }>;
  cleanup(): Promise<void>;
}

export async function startRspamd(): Promise<RspamdServer> {
  const dir = mkdtempSync(join(tmpdir(), 'minimail-rspamd-'));
  const conf = join(dir, 'conf');
  for (const d of ['conf/local.d', 'conf/override.d', 'db', 'run', 'log'])
    mkdirSync(join(dir, d), { recursive: true });
  const normal = await freePort();
  const controller = await freePort();
  const files: Record<string, string> = {
    'override.d/worker-normal.inc': `bind_socket = "127.0.0.1:${normal}";\ncount = 1;\n`,
    'override.d/worker-controller.inc': `bind_socket = "127.0.0.1:${controller}";\ncount = 1;\nsecure_ip = "127.0.0.1";\n`,
    'override.d/worker-proxy.inc': `enabled = false;\nbind_socket = "127.0.0.1:${await freePort()}";\n`,
    // url_tld: a five-line suffix list instead of the public one. Compiling the public list's
    // ~9,600 suffixes was nearly all of Rspamd's start (35-100 s on a loaded machine; now ~2 s).
    'local.d/options.inc':
      'dns {\n  nameserver = ["127.0.0.1:1"];\n  timeout = 0.1s;\n  retransmits = 0;\n}\n' +
      'url_tld = "$LOCAL_CONFDIR/tld.dat";\n',
    'tld.dat': 'com\nnet\norg\ntest\nexample\n',
    'override.d/logging.inc': 'type = "file";\nfilename = "$LOGDIR/rspamd.log";\nlevel = "info";\n',
    'override.d/actions.conf': 'reject = 15;\nadd_header = 6;\ngreylist = 4;\n',
    'override.d/classifier-bayes.conf':
      'tokenizer { name = "osb"; }\nbackend = "sqlite3";\nmin_tokens = 1;\nmin_learns = 1;\n' +
      // The learn cache defaults to /var/lib/rspamd: keep it in the test's own directory.
      'cache { type = "sqlite3"; file = "$DBDIR/learn_cache.sqlite"; }\n' +
      'statfile { symbol = "BAYES_HAM"; spam = false; path = "$DBDIR/bayes.ham.sqlite"; }\n' +
      'statfile { symbol = "BAYES_SPAM"; spam = true; path = "$DBDIR/bayes.spam.sqlite"; }\n',
    'local.d/multimap.conf':
      'MINIMAIL_TEST_BORDERLINE { type = "header"; header = "X-Minimail-Test"; regexp = true; map = "$LOCAL_CONFDIR/borderline.map"; score = 9.0; }\n' +
      'MINIMAIL_TEST_GREY { type = "header"; header = "X-Minimail-Test"; regexp = true; map = "$LOCAL_CONFDIR/grey.map"; score = 4.5; }\n',
    'borderline.map': '/^borderline$/\n',
    'grey.map': '/^grey$/\n',
  };
  for (const m of NETWORK_MODULES) files[`local.d/${m}.conf`] = 'enabled = false;\n';
  for (const [name, text] of Object.entries(files)) writeFileSync(join(conf, name), text);
  const asRoot = process.getuid?.() === 0 ? ['-i', '-u', 'root', '-g', 'root'] : [];
  const child: ChildProcess = spawn(
    'rspamd',
    [
      '-f',
      ...asRoot,
      '-c',
      '/etc/rspamd/rspamd.conf',
      '--var',
      `LOCAL_CONFDIR=${conf}`,
      '--var',
      `DBDIR=${join(dir, 'db')}`,
      '--var',
      `RUNDIR=${join(dir, 'run')}`,
      '--var',
      `LOGDIR=${join(dir, 'log')}`,
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${normal}`;
  const controllerUrl = `http://127.0.0.1:${controller}`;
  // A few seconds (see url_tld above); the margin is for a loaded machine.
  const deadline = Date.now() + 150_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/ping`);
      if (res.ok && (await fetch(`${controllerUrl}/ping`)).ok) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`rspamd did not start (see ${join(dir, 'log', 'rspamd.log')})`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    child.kill('SIGTERM');
    await exited;
  };
  return {
    url,
    controllerUrl,
    stop,
    async stat() {
      const s = (await (await fetch(`${controllerUrl}/stat`)).json()) as { learned: number; scanned: number };
      return { learned: s.learned, scanned: s.scanned };
    },
    async cleanup() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
