import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

function file(content: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'minimail-config-'));
  const p = path.join(dir, 'minimail.json');
  writeFileSync(p, content);
  return p;
}

describe('loadConfig', () => {
  it('uses the dev ports (1000 + standard) and loopback by default', () => {
    const config = loadConfig({ env: {} });
    expect(config.profile).toBe('dev');
    expect(config.bind).toBe('127.0.0.1');
    expect(config.ports).toEqual({
      smtp: 1025,
      submission: 1587,
      submissions: 1465,
      pop3: 1110,
      pop3s: 1995,
      imap: 1143,
      imaps: 1993,
      http: 8025,
      managesieve: 14190,
    });
    expect(config.dataDir.endsWith(`${path.sep}data`)).toBe(true);
  });

  it('uses the standard ports in production', () => {
    const config = loadConfig({ env: { MINIMAIL_PROFILE: 'production' } });
    expect(config.ports).toMatchObject({
      smtp: 25,
      submission: 587,
      submissions: 465,
      pop3: 110,
      imap: 143,
      imaps: 993,
      managesieve: 4190,
    });
    expect(config.bind).toBe('0.0.0.0');
  });

  it('records sessions in dev by default, not in production unless MINIMAIL_RECORD_SESSIONS says so (issue 16)', () => {
    const dev = loadConfig({ env: {} });
    expect([dev.recordSessions, dev.recordMaxSessions, dev.recordMaxBytes]).toEqual([
      true,
      1_000,
      8 * 1024 * 1024,
    ]);
    expect(loadConfig({ env: { MINIMAIL_PROFILE: 'production' } }).recordSessions).toBe(false);
    const on = loadConfig({
      env: {
        MINIMAIL_PROFILE: 'production',
        MINIMAIL_RECORD_SESSIONS: 'true',
        MINIMAIL_RECORD_MAX_SESSIONS: '50',
      },
    });
    expect([on.recordSessions, on.recordMaxSessions]).toEqual([true, 50]);
    expect(() => loadConfig({ env: { MINIMAIL_RECORD_MAX_BYTES: '10' } })).toThrow(
      /MINIMAIL_RECORD_MAX_BYTES/,
    );
  });

  it('lets the environment win over the file, which wins over defaults', () => {
    const configFile = file(JSON.stringify({ hostname: 'mx.file.test', ports: { smtp: 2525, imap: 2143 } }));
    const config = loadConfig({ env: { MINIMAIL_SMTP_PORT: '3525' }, file: configFile });
    expect(config.hostname).toBe('mx.file.test');
    expect(config.ports.smtp).toBe(3525);
    expect(config.ports.imap).toBe(2143);
  });

  it('reads MINIMAIL_CONFIG and port 0 disables a listener', () => {
    const configFile = file(JSON.stringify({ ports: { pop3: 0 } }));
    expect(loadConfig({ env: { MINIMAIL_CONFIG: configFile } }).ports.pop3).toBe(0);
  });

  it('names the bad key in its error', () => {
    expect(() => loadConfig({ env: { MINIMAIL_IMAP_PORT: '70000' } })).toThrow(/^MINIMAIL_IMAP_PORT: /);
    expect(() => loadConfig({ env: { MINIMAIL_HOSTNAME: 'bad host' } })).toThrow(
      /^MINIMAIL_HOSTNAME: must be a host name/,
    );
    const configFile = file(JSON.stringify({ ports: { smtp: 'x' } }));
    expect(() => loadConfig({ env: {}, file: configFile })).toThrow(`${configFile}: ports.smtp: `);
    const unknown = file(JSON.stringify({ colour: 'blue' }));
    expect(() => loadConfig({ env: {}, file: unknown })).toThrow(/unknown key\(s\) colour/);
    expect(() => loadConfig({ env: {}, file: file('{nope') })).toThrow(/not valid JSON/);
    expect(() => loadConfig({ env: { MINIMAIL_TLS_CERT: '/x.pem' } })).toThrow(/must be given together/);
  });

  it('has safe abuse limits by default, each settable from the environment', () => {
    expect(loadConfig({ env: {} })).toMatchObject({
      maxConnections: 1000,
      maxConnectionsPerIp: 50,
      smtpTimeout: 5 * 60_000,
      pop3IdleTimeout: 10 * 60_000,
      imapIdleTimeout: 30 * 60_000,
      authFreeFailures: 3,
      authMaxDelay: 30_000,
      maxMessageSize: 25 * 1024 * 1024,
      maxRecipients: 100,
    });
    const config = loadConfig({
      env: {
        MINIMAIL_MAX_CONNECTIONS: '20',
        MINIMAIL_MAX_CONNECTIONS_PER_IP: '2',
        MINIMAIL_SMTP_TIMEOUT: '30s',
        MINIMAIL_POP3_IDLE_TIMEOUT: '15m',
        MINIMAIL_IMAP_IDLE_TIMEOUT: '45m',
        MINIMAIL_AUTH_FREE_FAILURES: '0',
        MINIMAIL_AUTH_MAX_DELAY: '1m',
      },
    });
    expect(config).toMatchObject({
      maxConnections: 20,
      maxConnectionsPerIp: 2,
      smtpTimeout: 30_000,
      pop3IdleTimeout: 15 * 60_000,
      imapIdleTimeout: 45 * 60_000,
      authFreeFailures: 0,
      authMaxDelay: 60_000,
    });
    // RFC 3501 5.4: an IMAP autologout under 30 minutes is refused, naming the variable.
    expect(() => loadConfig({ env: { MINIMAIL_IMAP_IDLE_TIMEOUT: '10m' } })).toThrow(
      /^MINIMAIL_IMAP_IDLE_TIMEOUT: must be at least 1800 seconds/,
    );
    expect(() => loadConfig({ env: { MINIMAIL_MAX_CONNECTIONS_PER_IP: '0' } })).toThrow(
      /^MINIMAIL_MAX_CONNECTIONS_PER_IP: /,
    );
  });
});
