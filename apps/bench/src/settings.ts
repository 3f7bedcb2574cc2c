/**
 * What the bench runs, in one place, each number with its reason. `--quick` scales everything down
 * to about a minute; the full run takes a few minutes. Every loop is bounded in count AND time.
 */
export interface BenchSettings {
  quick: boolean;
  /** Which suites to run (`--only smtp,imap`); all by default. */
  only: ReadonlySet<string> | null;
  /** Run the minimail server child under `node --cpu-prof` and say where the profiles went. */
  cpuProfile: boolean;
  /**
   * Also run the SMTP and IMAP cells against minimail on PostgreSQL (a private cluster), beside
   * SQLite (issue 13). On unless `--no-postgres`; skipped with a note when PostgreSQL is absent.
   */
  postgres: boolean;
  /** Size of each SMTP test message: the 10 KB. */
  messageBytes: number;
  /** SMTP concurrency levels: one client, a busy MX, a flood (the 1, 20 and 100). */
  smtpSessions: readonly number[];
  /** Longest time one SMTP load (one target, one concurrency, one mode) runs. */
  smtpSeconds: number;
  /** Most messages one SMTP load sends: enough for stable percentiles, bounded disk use. */
  smtpMaxMessages: number;
  /** Concurrent IMAP clients of the mixed workload. */
  imapClients: number;
  /** Messages in each IMAP client's INBOX before the workload starts. */
  imapMailboxSize: number;
  /** Longest time the IMAP workload runs. */
  imapSeconds: number;
  /** Messages in the POP3 maildrop (the 1,000). */
  pop3Messages: number;
  /** Idle IMAP connections held in IDLE while RSS is measured (the 10,000). */
  idleConnections: number;
  /** Messages in the big mailbox (the 100,000). */
  bigMailboxMessages: number;
  /** Messages stored for the catcher API cell (issue 14: a search over 100,000). */
  catcherMessages: number;
  /** `--million`: the big-mailbox suite on 1,000,000 messages instead (SELECT, FETCH FLAGS, memory). */
  million: boolean;
  /** `--idle-50k`: the idle suite holds 50,000 connections (from many loopback addresses). */
  idle50k: boolean;
}

/**
 * Connections per loopback source address: half of the strictest per-IP limit (minimail SMTP's
 * 20), since with a new connection per message the next one opens before the server has counted
 * the last one closed.
 */
export const CONNECTIONS_PER_SOURCE_IP = 10;

export function parseSettings(argv: readonly string[]): BenchSettings {
  const quick = argv.includes('--quick');
  const onlyArg = argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  return {
    quick,
    only: onlyArg ? new Set(onlyArg.split(',').map((name) => name.trim())) : null,
    cpuProfile: argv.includes('--cpu-prof'),
    postgres: !argv.includes('--no-postgres'),
    messageBytes: 10 * 1024,
    smtpSessions: [1, 20, 100],
    smtpSeconds: quick ? 2 : 8,
    smtpMaxMessages: quick ? 1_000 : 8_000,
    imapClients: quick ? 10 : 20,
    imapMailboxSize: quick ? 50 : 200,
    imapSeconds: quick ? 3 : 10,
    pop3Messages: quick ? 200 : 1_000,
    idleConnections: quick ? 1_000 : 10_000,
    bigMailboxMessages: quick ? 5_000 : 100_000,
    catcherMessages: quick ? 10_000 : 100_000,
    million: argv.includes('--million'),
    idle50k: argv.includes('--idle-50k'),
  };
}

export function wants(settings: BenchSettings, suite: string): boolean {
  return settings.only === null || settings.only.has(suite);
}
