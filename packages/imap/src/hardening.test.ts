/**
 * The shared hardening as IMAP uses it: certificates that reload without a restart (implicit TLS
 * and STARTTLS), the TLS 1.2 floor, metrics, a failed-login throttle and connection limiter shared
 * between listeners, and the per-IP connection limit. Real servers on port 0, real sockets.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthThrottle,
  ConnectionLimiter,
  createLogger,
  createMetrics,
  createTlsContextProvider,
  type TlsContextProvider,
} from '@minimail/protocol';
import {
  metricSample,
  RawClient,
  scrapeWhen,
  selfSignedPemPair,
  tlsPeerName,
} from '@minimail/protocol/testing';
import { openStore, type MailStore } from '@minimail/store';
import {
  createImapServer,
  IMAP_COMMAND_NAMES,
  type CreateImapServerOptions,
  type ImapListener,
} from './index.js';
import { BASE_CAPS, PLAIN_GREETING, sampleMessage } from './test-support/harness.js';

let dir: string;
let store: MailStore;
const servers: ImapListener[] = [];
const clients: RawClient[] = [];
let provider: TlsContextProvider | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'minimail-imap-hardening-'));
  store = openStore({ path: join(dir, 'minimail.sqlite') });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
  provider?.close();
  provider = null;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: Partial<CreateImapServerOptions> = {}): Promise<number> {
  const server = createImapServer({
    store,
    logger: createLogger({ level: 'silent' }),
    hostname: 'imap.test',
    profile: 'dev',
    tls: null,
    implicitTls: false,
    ...options,
  });
  servers.push(server);
  return server.listen(0, '127.0.0.1');
}

async function connect(port: number, secure = false): Promise<RawClient> {
  const client = await RawClient.connect(port, { tls: secure });
  clients.push(client);
  return client;
}

type TlsVersions = Pick<tls.ConnectionOptions, 'minVersion' | 'maxVersion'>;

/** Handshakes on implicit TLS and returns the certificate's common name. */
function implicitPeerName(port: number, versions: TlsVersions = {}): Promise<string | undefined> {
  return tlsPeerName({ port, ...versions });
}

/** Greeting, `S STARTTLS`, its OK, then the handshake; returns the certificate's common name. */
async function starttlsPeerName(port: number, versions: TlsVersions = {}): Promise<string | undefined> {
  const plain = net.connect({ port, host: '127.0.0.1' });
  try {
    await readUntil(plain, /^\* OK .*\r\n/);
    plain.write('S STARTTLS\r\n');
    const reply = await readUntil(plain, /\r\nS |^S /);
    expect(reply).toBe('S OK Begin TLS negotiation now\r\n');
    return await tlsPeerName({ socket: plain, ...versions });
  } finally {
    plain.destroy();
  }
}

/** Plaintext up to a complete line matching `pattern` (a pattern that ends in CRLF, or a tag). */
function readUntil(socket: net.Socket, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      if (pattern.test(text) && text.endsWith('\r\n')) {
        socket.off('data', onData);
        socket.off('error', reject);
        // Hand the socket over untouched: TLS reads from here on.
        socket.pause();
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.resume();
  });
}

describe('IMAP hardening', () => {
  it('serves renewed certificate files to new IMAPS and STARTTLS connections without a restart', async () => {
    const certPath = join(dir, 'cert.pem');
    const keyPath = join(dir, 'key.pem');
    const write = (pair: { cert: string; key: string }): void => {
      writeFileSync(certPath, pair.cert);
      writeFileSync(keyPath, pair.key);
    };
    write(await selfSignedPemPair('first.test'));
    provider = await createTlsContextProvider({
      certPath,
      keyPath,
      pollIntervalMs: 60_000, // reload() stands in for the file watcher (tested in protocol)
      onError: (error) => {
        throw error;
      },
    });
    const imaps = await start({ tls: provider, implicitTls: true });
    const imap = await start({ tls: provider, implicitTls: false });
    expect(await implicitPeerName(imaps)).toBe('first.test');
    expect(await starttlsPeerName(imap)).toBe('first.test');
    write(await selfSignedPemPair('second.test'));
    await provider.reload();
    expect(await implicitPeerName(imaps)).toBe('second.test');
    expect(await starttlsPeerName(imap)).toBe('second.test');
  });

  it('refuses TLS 1.1 on IMAPS and after STARTTLS (RFC 8996), and still serves TLS 1.2', async () => {
    const pair = await selfSignedPemPair('imap.test');
    const imaps = await start({ tls: pair, implicitTls: true });
    const imap = await start({ tls: pair, implicitTls: false });
    const tls11: TlsVersions = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1' };
    await expect(implicitPeerName(imaps, tls11)).rejects.toThrow();
    await expect(starttlsPeerName(imap, tls11)).rejects.toThrow();
    const tls12: TlsVersions = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' };
    expect(await implicitPeerName(imaps, tls12)).toBe('imap.test');
    expect(await starttlsPeerName(imap, tls12)).toBe('imap.test');
  });

  it('records connections, commands, NO/BAD replies, failed logins, APPENDed and FETCHed messages', async () => {
    const metrics = createMetrics({ processMetrics: false });
    await store.addDomain('local.test');
    await store.addUser('bob@local.test', 'secret');
    const port = await start({
      profile: 'production',
      tls: await selfSignedPemPair('imap.test'),
      implicitTls: true,
      metrics: metrics.forProtocol('imap', IMAP_COMMAND_NAMES),
    });
    const message = Buffer.from(sampleMessage('metrics'));
    const c = await connect(port, true);
    // RFC 3501 7.2.1: on implicit TLS, plaintext logins are offered and STARTTLS is not.
    await c.expect(PLAIN_GREETING);
    c.send('a1 LOGIN bob@local.test wrong');
    await c.expect('a1 NO [AUTHENTICATIONFAILED] Invalid credentials');
    c.send('a2 LOGIN bob@local.test secret');
    await c.expect(`a2 OK [CAPABILITY ${BASE_CAPS}] Logged in`);
    c.send(`a3 APPEND INBOX {${message.length}+}`);
    c.sendRaw(Buffer.concat([message, Buffer.from('\r\n')]));
    const user = await store.getUser('bob@local.test');
    const inbox = await store.getMailbox(user!.id, 'INBOX');
    await c.expect(`a3 OK [APPENDUID ${inbox!.uidValidity} 1] APPEND completed`);
    c.send('a4 SELECT INBOX');
    expect((await c.readTagged('a4')).at(-1)).toBe('a4 OK [READ-WRITE] SELECT completed');
    c.send('a5 FETCH 1 (BODY.PEEK[])');
    await c.expect(`* 1 FETCH (BODY[] {${message.length}}`);
    expect((await c.readTagged('a5')).at(-1)).toBe('a5 OK FETCH completed');
    c.send('a6 UID FETCH 1 (RFC822)');
    await c.expect(`* 1 FETCH (UID 1 RFC822 {${message.length}}`);
    expect((await c.readTagged('a6')).at(-1)).toBe('a6 OK UID FETCH completed');
    // Headers and partial ranges are not a message served.
    c.send('a7 FETCH 1 (BODY.PEEK[HEADER] BODY.PEEK[]<0.4>)');
    expect((await c.readTagged('a7')).at(-1)).toBe('a7 OK FETCH completed');
    c.send('a8 FETCH 1 (NOSUCHITEM)');
    await c.expect('a8 BAD Unknown fetch item NOSUCHITEM');
    c.send('a9 XYZZY');
    await c.expect('a9 BAD Unknown command XYZZY');
    c.send('a10 STATUS NoSuchBox (MESSAGES)');
    await c.expect('a10 NO [NONEXISTENT] No such mailbox');
    c.send('a11 LOGOUT');
    await c.expect('* BYE Logging out');
    await c.expect('a11 OK LOGOUT completed');
    await c.closed();

    // The server counts the close a moment after the client sees it: poll, not a fixed sleep.
    const text = await scrapeWhen(() => metrics.scrape(), 'minimail_connections_open{protocol="imap"}', 0);
    const imap = (series: string): number | undefined => metricSample(text, series);
    expect(imap('minimail_connections_total{protocol="imap"}')).toBe(1);
    expect(imap('minimail_connections_open{protocol="imap"}')).toBe(0);
    expect(imap('minimail_commands_total{protocol="imap",command="LOGIN"}')).toBe(2);
    expect(imap('minimail_commands_total{protocol="imap",command="APPEND"}')).toBe(1);
    expect(imap('minimail_commands_total{protocol="imap",command="FETCH"}')).toBe(4);
    expect(imap('minimail_commands_total{protocol="imap",command="OTHER"}')).toBe(1);
    expect(imap('minimail_commands_total{protocol="imap",command="LOGOUT"}')).toBe(1);
    expect(imap('minimail_errors_total{protocol="imap",kind="NO"}')).toBe(2);
    expect(imap('minimail_errors_total{protocol="imap",kind="BAD"}')).toBe(2);
    expect(imap('minimail_auth_failures_total{protocol="imap"}')).toBe(1);
    expect(imap('minimail_messages_total{protocol="imap",direction="in"}')).toBe(1);
    expect(imap('minimail_message_bytes_total{protocol="imap",direction="in"}')).toBe(message.length);
    expect(imap('minimail_messages_total{protocol="imap",direction="out"}')).toBe(2);
    expect(imap('minimail_message_bytes_total{protocol="imap",direction="out"}')).toBe(2 * message.length);
    // The APPENDed bytes are what the store kept.
    expect((await store.getMessage(inbox!.id, 1))!.size).toBe(message.length);
  });

  it('limits connections per IP', async () => {
    const port = await start({ maxConnectionsPerIp: 1 });
    const first = await connect(port);
    await first.expect(PLAIN_GREETING);
    const second = await connect(port);
    await second.expect('* BYE Too many connections, try again later');
    await second.closed();
    first.send('a NOOP');
    await first.expect('a OK NOOP completed');
  });

  it('counts connections of every listener in one shared limiter', async () => {
    const limiter = new ConnectionLimiter({ maxTotal: 1, maxPerIp: 10 });
    const first = await start({ connectionLimiter: limiter });
    const second = await start({ connectionLimiter: limiter });
    const held = await connect(first);
    await held.expect(PLAIN_GREETING);
    const refused = await connect(second);
    await refused.expect('* BYE Too many connections, try again later');
    await refused.closed();
    await held.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const admitted = await connect(second);
    await admitted.expect(PLAIN_GREETING);
  });

  it('shares one failed-login throttle between listeners', async () => {
    await store.addDomain('local.test');
    await store.addUser('bob@local.test', 'secret');
    // A delay far above what one TLS handshake and scrypt take on a loaded 2-core CI machine, so the
    // first (undelayed) failure is clearly below it and the second (delayed) one clearly above.
    const throttle = new AuthThrottle({ freeFailures: 0, baseDelayMs: 2_000, maxDelayMs: 2_000 });
    const pair = await selfSignedPemPair('imap.test');
    const options = { profile: 'production' as const, tls: pair, implicitTls: true, authThrottle: throttle };
    const ports = [await start(options), await start(options)];
    const failOn = async (port: number): Promise<number> => {
      const client = await connect(port, true);
      await client.expect(PLAIN_GREETING);
      const started = Date.now();
      client.send('a LOGIN bob@local.test wrong');
      await client.expect('a NO [AUTHENTICATIONFAILED] Invalid credentials');
      return Date.now() - started;
    };
    expect(await failOn(ports[0]!)).toBeLessThan(1_900);
    expect(await failOn(ports[1]!)).toBeGreaterThanOrEqual(1_950);
  });
});
