import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { inboundAuthOptions, smarthostOptions } from './relay.js';

describe('relay configuration', () => {
  it('defaults: Postfix-like schedule over 5 days, delay notice at 4h, checks only in production', () => {
    const dev = loadConfig({ env: {} });
    expect(dev).toMatchObject({
      retrySchedule: [300_000, 600_000, 1_200_000, 2_400_000, 4_020_000],
      queueLifetime: 5 * 86_400_000,
      delayWarning: 4 * 3_600_000,
      relayLease: 600_000,
      relayPort: 25,
      inboundChecks: false,
      dmarcReject: false,
      smarthostTls: 'starttls',
    });
    expect(inboundAuthOptions(dev)).toBeNull();
    expect(smarthostOptions(dev)).toBeNull();
    const production = loadConfig({ env: { MINIMAIL_PROFILE: 'production', MINIMAIL_DMARC_REJECT: 'yes' } });
    expect(inboundAuthOptions(production)).toMatchObject({ rejectDmarcFailures: true });
  });

  it('reads a smarthost with credentials and TLS from the environment', () => {
    const config = loadConfig({
      env: {
        MINIMAIL_SMARTHOST: 'smtp.provider.test:465',
        MINIMAIL_SMARTHOST_USER: 'me',
        MINIMAIL_SMARTHOST_PASSWORD: 'secret',
        MINIMAIL_SMARTHOST_TLS: 'tls',
        MINIMAIL_RETRY_SCHEDULE: '30s, 2m',
        MINIMAIL_QUEUE_LIFETIME: '2d',
      },
    });
    expect(smarthostOptions(config)).toEqual({
      host: 'smtp.provider.test',
      port: 465,
      tls: 'implicit',
      auth: { user: 'me', pass: 'secret' },
    });
    expect(config.retrySchedule).toEqual([30_000, 120_000]);
    expect(config.queueLifetime).toBe(2 * 86_400_000);
  });

  it('names the bad key in its errors', () => {
    expect(() => loadConfig({ env: { MINIMAIL_SMARTHOST: 'no-port' } })).toThrow(
      new ConfigError('MINIMAIL_SMARTHOST: must be host:port'),
    );
    expect(() => loadConfig({ env: { MINIMAIL_RETRY_SCHEDULE: '5m,soon' } })).toThrow(
      /^MINIMAIL_RETRY_SCHEDULE: "soon" is not a duration/,
    );
    expect(() => loadConfig({ env: { MINIMAIL_DMARC_REJECT: 'maybe' } })).toThrow(/^MINIMAIL_DMARC_REJECT: /);
    expect(() => loadConfig({ env: { MINIMAIL_SMARTHOST: 'h:25', MINIMAIL_SMARTHOST_USER: 'me' } })).toThrow(
      /must be given together/,
    );
    expect(() =>
      loadConfig({
        env: {
          MINIMAIL_SMARTHOST: 'h:25',
          MINIMAIL_SMARTHOST_USER: 'me',
          MINIMAIL_SMARTHOST_PASSWORD: 'pw',
          MINIMAIL_SMARTHOST_TLS: 'none',
        },
      }),
    ).toThrow(/plaintext/);
  });
});
