import { describe, expect, it } from 'vitest';
import { IMAP_COMMANDS, type ImapTargetResult } from './imap-suite.js';
import { MINIMAIL, MINIMAIL_POSTGRES } from './minimail-target.js';
import { renderResults, type BenchResults } from './report.js';
import { parseSettings } from './settings.js';
import type { SmtpResult } from './smtp-suite.js';

const smtp = (target: string, perSecond: number): SmtpResult => ({
  target,
  sessions: 20,
  mode: 'new connection',
  messages: perSecond * 2,
  errors: 0,
  seconds: 2,
  perSecond,
  p50: 10,
  p99: 20,
  firstError: null,
});

const imap = (target: string, opsPerSecond: number): ImapTargetResult => ({
  target,
  clients: 10,
  seconds: 3,
  sessions: 30,
  errors: 0,
  firstError: null,
  commands: IMAP_COMMANDS.map((command) => ({ command, count: 30, perSecond: 10, p50: 5, p99: 9 })),
  opsPerSecond,
});

function results(parts: Partial<BenchResults>): BenchResults {
  return {
    settings: parseSettings(['--quick']),
    startedAt: new Date('2026-01-01T00:00:00Z'),
    seconds: 1,
    peers: { postfix: null, dovecot: null },
    smtp: null,
    imap: null,
    pop3: null,
    idle: null,
    big: null,
    stress: null,
    notes: [],
    ...parts,
  };
}

describe('the PostgreSQL cells in the report (issue 13)', () => {
  it('puts minimail on PostgreSQL beside SQLite in each SMTP cell, with the ratio', () => {
    const markdown = renderResults(results({ smtp: [smtp(MINIMAIL, 400), smtp(MINIMAIL_POSTGRES, 100)] }));
    expect(markdown).toContain('| 20 | new connection | 400 | 10.0 / 20.0 | 100 | 10.0 / 20.0 | 0.25x |');
    expect(markdown).toContain(
      '| PostgreSQL backend / SQLite, SMTP 20 sessions, new connection each (no target) | 0.25x | informational |',
    );
    // The SQLite server is still the one compared with Postfix: the PostgreSQL one is not taken for it.
    expect(markdown).toContain(
      '| SMTP durable ingest, 20 sessions, new connection each: >= 2x Postfix | - | not measured |',
    );
  });

  it('puts the PostgreSQL IMAP workload beside SQLite and keeps it apart from the peer', () => {
    const markdown = renderResults(
      results({ imap: [imap(MINIMAIL, 400), imap(MINIMAIL_POSTGRES, 80), imap('Dovecot', 200)] }),
    );
    expect(markdown).toContain(
      '| **all commands** | **400** |  | **80.0** (0.20x of SQLite) |  | **200** |  | **2.00x** |',
    );
    expect(markdown).toContain(
      '| PostgreSQL backend / SQLite, IMAP workload (no target) | 0.20x | informational |',
    );
    expect(markdown).toContain('| IMAP workload throughput >= Dovecot | 2.00x | met |');
  });

  it('says "not measured" when PostgreSQL was not run', () => {
    const markdown = renderResults(results({ smtp: [smtp(MINIMAIL, 400)], imap: [imap(MINIMAIL, 400)] }));
    expect(markdown).toContain(
      '| PostgreSQL backend / SQLite, IMAP workload (no target) | - | not measured |',
    );
    expect(markdown).toContain('| 20 | new connection | 400 | 10.0 / 20.0 | - | - | - |');
  });
});
