/**
 * Issue 11, modern TLS only: every TLS listener of `minimail serve` (IMAPS, POP3S, submissions
 * on implicit TLS, and submission after STARTTLS) speaks TLS 1.2 only with forward-secret AEAD
 * suites (ECDHE with AES-GCM or ChaCha20-Poly1305) and TLS 1.3 as OpenSSL ships it. A CBC suite
 * and a static-RSA suite are refused, asked for with the openssl command-line client.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, freePort, startServer, tempDataDir, type RunningServer } from './support.js';

const OPENSSL = spawnSync('openssl', ['version']).status === 0;

let data: ReturnType<typeof tempDataDir>;
let server: RunningServer | undefined;
const ports = { imaps: 0, pop3s: 0, submissions: 0, submission: 0 };

/** The cipher openssl s_client negotiated, or null when the handshake failed. */
function negotiated(port: number, args: string[]): string | null {
  const result = spawnSync(
    'openssl',
    ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args],
    { input: '', encoding: 'utf8', timeout: 15_000 },
  );
  const match = /Cipher is (\S+)/.exec(result.stdout);
  if (result.status !== 0 || !match || match[1] === '(NONE)') return null;
  return match[1] ?? null;
}

beforeAll(async () => {
  if (!OPENSSL) return;
  data = tempDataDir();
  for (const name of Object.keys(ports) as Array<keyof typeof ports>) ports[name] = await freePort();
  server = await startServer(
    [],
    cliEnv(data.dir, {
      MINIMAIL_IMAPS_PORT: String(ports.imaps),
      MINIMAIL_POP3S_PORT: String(ports.pop3s),
      MINIMAIL_SUBMISSIONS_PORT: String(ports.submissions),
      MINIMAIL_SUBMISSION_PORT: String(ports.submission),
    }),
  );
}, 60_000);

afterAll(async () => {
  await server?.stop('SIGTERM');
  data?.cleanup();
});

describe.skipIf(!OPENSSL)('TLS suites offered (openssl s_client; skipped: openssl not installed)', () => {
  const listeners: Array<[string, () => number, string[]]> = [
    ['IMAPS', () => ports.imaps, []],
    ['POP3S', () => ports.pop3s, []],
    ['submissions (465)', () => ports.submissions, []],
    ['submission after STARTTLS', () => ports.submission, ['-starttls', 'smtp']],
  ];
  for (const [name, port, extra] of listeners) {
    it(`${name}: refuses CBC and static-RSA suites, accepts ECDHE-GCM, ChaCha20 and TLS 1.3`, () => {
      const tls12 = ['-tls1_2', ...extra];
      // CBC with ECDHE (forward secret, but not AEAD).
      expect(negotiated(port(), [...tls12, '-cipher', 'ECDHE-RSA-AES128-SHA'])).toBeNull();
      // Static RSA key exchange (no forward secrecy), even with GCM, and with CBC.
      expect(negotiated(port(), [...tls12, '-cipher', 'AES128-GCM-SHA256'])).toBeNull();
      expect(negotiated(port(), [...tls12, '-cipher', 'AES256-SHA'])).toBeNull();
      expect(negotiated(port(), [...tls12, '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'])).toBe(
        'ECDHE-RSA-AES128-GCM-SHA256',
      );
      expect(negotiated(port(), [...tls12, '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305'])).toBe(
        'ECDHE-RSA-CHACHA20-POLY1305',
      );
      expect(negotiated(port(), ['-tls1_3', ...extra])).toMatch(
        /^TLS_(AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256|AES_128_GCM_SHA256)$/,
      );
    });
  }
});
