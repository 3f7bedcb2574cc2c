import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('ACME settings', () => {
  it('are off by default, with Let’s Encrypt production, http-01 and the host name as defaults', () => {
    const config = loadConfig({ env: { MINIMAIL_HOSTNAME: 'mail.example.org' } });
    expect([
      config.acme,
      config.acmeDirectoryUrl,
      config.acmeChallenge,
      config.acmeHostnames,
      config.acmeTlsAlpnPort,
    ]).toEqual([
      false,
      'https://acme-v02.api.letsencrypt.org/directory',
      'http-01',
      ['mail.example.org'],
      443,
    ]);
  });
  it('read every MINIMAIL_ACME_* variable', () => {
    const config = loadConfig({
      env: {
        MINIMAIL_ACME: 'on',
        MINIMAIL_ACME_CONTACT: 'admin@example.org',
        MINIMAIL_ACME_HOSTNAMES: 'Mail.example.org, imap.example.org',
        MINIMAIL_ACME_DIRECTORY_URL: 'letsencrypt-staging',
        MINIMAIL_ACME_CHALLENGE: 'tls-alpn-01',
        MINIMAIL_ACME_TLS_ALPN_PORT: '8443',
      },
    });
    expect(config).toMatchObject({
      acme: true,
      acmeContact: 'admin@example.org',
      acmeHostnames: ['mail.example.org', 'imap.example.org'],
      acmeDirectoryUrl: 'https://acme-staging-v02.api.letsencrypt.org/directory',
      acmeChallenge: 'tls-alpn-01',
      acmeTlsAlpnPort: 8443,
    });
  });
  it.each([
    [{ MINIMAIL_ACME: 'on' }, 'MINIMAIL_ACME=on needs MINIMAIL_ACME_CONTACT (an e-mail address for the CA)'],
    [
      {
        MINIMAIL_ACME: 'on',
        MINIMAIL_ACME_CONTACT: 'a@b.org',
        MINIMAIL_TLS_CERT: 'c',
        MINIMAIL_TLS_KEY: 'k',
      },
      'MINIMAIL_ACME=on and MINIMAIL_TLS_CERT/_KEY exclude each other: choose one',
    ],
    [
      { MINIMAIL_ACME_DIRECTORY_URL: 'http://plain.example/dir' },
      'MINIMAIL_ACME_DIRECTORY_URL: must be an https:// URL',
    ],
    [{ MINIMAIL_ACME_CHALLENGE: 'dns-01' }, /^MINIMAIL_ACME_CHALLENGE: /],
    [{ MINIMAIL_ACME_CONTACT: 'not an address' }, /^MINIMAIL_ACME_CONTACT: /],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig({ env })).toThrow(message);
  });
});
