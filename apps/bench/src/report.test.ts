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

describe('the second clients in the report (issue 20)', () => {
  it('gives each SMTP load generator its own rows, with its own ratio to Postfix', () => {
    const fromSource = (target: string, perSecond: number): SmtpResult => ({
      ...smtp(target, perSecond),
      generator: 'smtp-source',
      p50: Number.NaN,
      p99: Number.NaN,
    });
    const markdown = renderResults(
      results({
        smtp: [
          smtp(MINIMAIL, 400),
          smtp('Postfix 3.7.11', 100),
          fromSource(MINIMAIL, 300),
          fromSource('Postfix 3.7.11', 200),
        ],
      }),
    );
    expect(markdown).toContain('| bench client | 20 | new connection | 400 | 10.0 / 20.0 |');
    expect(markdown).toMatch(/\| bench client \| 20 \| new connection \|.*\| 4\.00x \|/);
    expect(markdown).toMatch(/\| smtp-source \| 20 \| new connection \| 300 \| - \/ - \|.*\| 1\.50x \|/);
    // The first round's target row still reads the bench client's cell.
    expect(markdown).toContain(
      '| SMTP durable ingest, 20 sessions, new connection each: >= 2x Postfix | 4.00x | met |',
    );
  });

  it('gives each POP3 client its own row and ratio to Dovecot', () => {
    const pop = (target: string, client: 'bench client' | 'poplib', perSecond: number) => ({
      target,
      client,
      messages: 1000,
      seconds: 1000 / perSecond,
      perSecond,
      mibPerSecond: perSecond / 100,
    });
    const markdown = renderResults(
      results({
        pop3: [
          pop(MINIMAIL, 'bench client', 9000),
          pop('Dovecot 2.3.19.1', 'bench client', 6000),
          pop(MINIMAIL, 'poplib', 6000),
          pop('Dovecot 2.3.19.1', 'poplib', 8000),
        ],
      }),
    );
    expect(markdown).toContain('| minimail | poplib | 1000 | 0.17 | 6000 | 60.0 |');
    expect(markdown).toContain(
      'minimail / Dovecot 2.3.19.1, bench client: 1.50x; minimail / Dovecot 2.3.19.1, poplib: 0.75x',
    );
    expect(markdown).toContain('| POP3 download throughput >= Dovecot | 1.50x | met |');
  });
});
