/**
 * Debian's pebble (Let's Encrypt's ACME test server) on loopback, with pebble-challtestsrv as its
 * DNS server (pebble's -dnsserver): every name resolves to 127.0.0.1 unless a test points it
 * elsewhere, so validation really connects to our listeners and no real DNS is ever asked.
 * Pebble's own HTTPS uses a certificate made here, which the ACME client is told to trust.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureDevCertificate } from '@minimail/protocol';

export function pebbleUnavailable(): string | null {
  for (const tool of ['/usr/bin/pebble', '/usr/bin/pebble-challtestsrv']) {
    if (!existsSync(tool)) return `${tool} is not installed (apt-get install pebble; .ci/run does)`;
  }
  return null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(
  port: number,
  child: ChildProcess,
  what: string,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited:\n${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on ${port}:\n${output()}`);
}

export interface Pebble {
  directoryUrl: string;
  /** Trust anchor of pebble's HTTPS (not of the certificates it issues). */
  caPem: string;
  /** Makes `host` resolve to `address` for pebble's validator (e.g. 127.0.0.2, where nobody listens). */
  pointHost(host: string, address: string): Promise<void>;
  /** Back to the default answer, 127.0.0.1. */
  resetHost(host: string): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

export interface PebbleOptions {
  /** Port the validator connects to for HTTP-01 (where the HTTP service listens). */
  httpPort: number;
  /** Port the validator connects to for TLS-ALPN-01. */
  tlsPort: number;
  /** Lifetime of issued certificates, seconds (pebble's certificateValidityPeriod). */
  validitySeconds?: number;
}

function spawnLogged(command: string, args: string[], env: NodeJS.ProcessEnv, log: string[]): ChildProcess {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

export async function startPebble(options: PebbleOptions): Promise<Pebble> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'minimail-pebble-'));
  const tlsFiles = await ensureDevCertificate(dir, 'localhost');
  const [acmePort, managementPort, dnsPort, dnsManagementPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const log: string[] = [];
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
  const dns = spawnLogged(
    '/usr/bin/pebble-challtestsrv',
    [
      '-defaultIPv4',
      '127.0.0.1',
      '-defaultIPv6',
      '',
      '-dns01',
      `127.0.0.1:${dnsPort}`,
      '-management',
      `127.0.0.1:${dnsManagementPort}`,
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
    ],
    env,
    log,
  );
  const config = path.join(dir, 'pebble-config.json');
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: path.join(dir, 'tls', 'cert.pem'),
        privateKey: path.join(dir, 'tls', 'key.pem'),
        httpPort: options.httpPort,
        tlsPort: options.tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        ...(options.validitySeconds ? { certificateValidityPeriod: options.validitySeconds } : {}),
      },
    }),
  );
  const pebble = spawnLogged(
    '/usr/bin/pebble',
    ['-config', config, '-dnsserver', `127.0.0.1:${dnsPort}`, '-strict=false'],
    {
      ...env,
      // No random 0-15 s sleep before validation, no random nonce rejection, no reuse of a valid
      // authorization (so every order really validates: a failed challenge must really fail).
      PEBBLE_VA_NOSLEEP: '1',
      PEBBLE_WFE_NONCEREJECT: '0',
      PEBBLE_AUTHZREUSE: '0',
    },
    log,
  );
  const output = (): string => log.join('');
  try {
    await waitForPort(dnsManagementPort, dns, 'pebble-challtestsrv', output);
    await waitForPort(acmePort, pebble, 'pebble', output);
  } catch (err) {
    await Promise.all([stopChild(pebble), stopChild(dns)]);
    throw err;
  }
  const manage = async (endpoint: string, body: object): Promise<void> => {
    const response = await fetch(`http://127.0.0.1:${dnsManagementPort}/${endpoint}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`challtestsrv ${endpoint}: ${response.status}`);
  };
  return {
    directoryUrl: `https://127.0.0.1:${acmePort}/dir`,
    caPem: tlsFiles.cert,
    pointHost: (host, address) => manage('add-a', { host, addresses: [address] }),
    resetHost: (host) => manage('clear-a', { host }),
    output,
    async stop() {
      await Promise.all([stopChild(pebble), stopChild(dns)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
