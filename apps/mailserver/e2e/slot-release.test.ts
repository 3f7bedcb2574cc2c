/**
 * Issue 11, connection slots: a server that ends a session (IMAP `* BYE`, POP3 `-ERR` or `+OK` and
 * close, SMTP `421`/`221`, an HTTP `Connection: close` answer) while the client is still sending
 * must give back the connection slot and close the descriptor. Before the fix an IMAP socket
 * ended this way stayed open for as long as the client kept it (its FIN was never read), so 50
 * such connections locked one IP out and 1,000 locked everybody out.
 *
 * 5,000 connections against every listener of one `minimail serve` (plain and TLS), each ending
 * on one of the server's goodbye paths while it pushes data; half of the clients hang up when they
 * see the server's FIN, the other half keep pushing until the server cuts them off. Afterwards the
 * connection gauge is 0, the server's open descriptors are back to their count before, and a new
 * client is greeted on every listener.
 */
import { readdirSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { RawClient } from '@minimail/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, freePort, startServer, tempDataDir, type RunningServer } from './support.js';

const TOTAL_CONNECTIONS = 5_000;
/** Connections in flight at once, spread over SOURCE_ADDRESSES (per-IP limit 50 per listener). */
const BATCH = 100;
/** 127.0.0.2 ... 127.0.0.11: the loopback /8 lets a client pick its source address. */
const SOURCE_ADDRESSES = Array.from({ length: 10 }, (_, i) => `127.0.0.${i + 2}`);
/** What a pushing client sends every PUSH_INTERVAL_MS until the server closes the connection. */
const PUSH_CHUNK = 'x'.repeat(4096) + '\r\n';
const PUSH_INTERVAL_MS = 20;
/** A connection the server has not closed by then has leaked. */
const CONNECTION_DEADLINE_MS = 10_000;

type Port = 'smtp' | 'submission' | 'submissions' | 'pop3' | 'pop3s' | 'imap' | 'imaps' | 'http';
const PORT_ENV: Record<Port, string> = {
  smtp: 'MINIMAIL_SMTP_PORT',
  submission: 'MINIMAIL_SUBMISSION_PORT',
  submissions: 'MINIMAIL_SUBMISSIONS_PORT',
  pop3: 'MINIMAIL_POP3_PORT',
  pop3s: 'MINIMAIL_POP3S_PORT',
  imap: 'MINIMAIL_IMAP_PORT',
  imaps: 'MINIMAIL_IMAPS_PORT',
  http: 'MINIMAIL_HTTP_PORT',
};
const TLS_PORTS = new Set<Port>(['submissions', 'pop3s', 'imaps']);

interface Attack {
  name: string;
  port: Port;
  /** Sent once the server has spoken (HTTP: at once); PUSH_CHUNKs follow until the server hangs up. */
  trigger: string;
  /** The server's goodbye, somewhere in what it sent. */
  goodbye: RegExp;
}

const ATTACKS: Attack[] = [
  { name: 'IMAP LOGOUT', port: 'imap', trigger: 'a LOGOUT\r\n', goodbye: /^\* BYE Logging out\r$/m },
  {
    name: 'IMAP invalid commands',
    port: 'imap',
    trigger: 'nonsense\r\n'.repeat(30),
    goodbye: /^\* BYE /m,
  },
  {
    name: 'IMAP commands before login',
    port: 'imap',
    trigger: Array.from({ length: 60 }, (_, i) => `n${i} NOOP\r\n`).join(''),
    goodbye: /^\* BYE Too many commands before login\r$/m,
  },
  {
    name: 'IMAP literal too big',
    port: 'imap',
    trigger: 'a LOGIN {999999999+}\r\n',
    goodbye: /^\* BYE /m,
  },
  { name: 'IMAPS LOGOUT', port: 'imaps', trigger: 'a LOGOUT\r\n', goodbye: /^\* BYE Logging out\r$/m },
  { name: 'POP3 QUIT', port: 'pop3', trigger: 'QUIT\r\n', goodbye: /^\+OK /m },
  { name: 'POP3 invalid commands', port: 'pop3', trigger: 'NONSENSE\r\n'.repeat(30), goodbye: /^-ERR /m },
  { name: 'POP3S QUIT', port: 'pop3s', trigger: 'QUIT\r\n', goodbye: /^\+OK /m },
  {
    name: 'SMTP unrecognized commands',
    port: 'smtp',
    trigger: 'XYZZY\r\n'.repeat(12),
    goodbye: /^421 4\.4\.2 Error: too many unrecognized commands\r$/m,
  },
  { name: 'SMTP QUIT', port: 'smtp', trigger: 'QUIT\r\n', goodbye: /^221 2\.0\.0 Bye\r$/m },
  { name: 'submission QUIT', port: 'submission', trigger: 'QUIT\r\n', goodbye: /^221 2\.0\.0 Bye\r$/m },
  { name: 'submissions QUIT', port: 'submissions', trigger: 'QUIT\r\n', goodbye: /^221 2\.0\.0 Bye\r$/m },
  {
    name: 'HTTP Connection: close',
    port: 'http',
    trigger: 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    goodbye: /^HTTP\/1\.1 200 /m,
  },
];

let data: ReturnType<typeof tempDataDir>;
let server: RunningServer | undefined;
const ports = {} as Record<Port, number>;

function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

async function openConnectionsGauge(): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${ports.http}/metrics`);
  const text = await response.text();
  let sum = 0;
  for (const match of text.matchAll(/^minimail_connections_open\{[^}]*\} (\d+)$/gm)) sum += Number(match[1]);
  return sum;
}

/** One hostile connection: the outcome says whether the server said goodbye and hung up. */
function attack(
  spec: Attack,
  localAddress: string,
  hangUpOnFin: boolean,
): Promise<{ said: string; closed: boolean }> {
  return new Promise((resolve) => {
    const options = { host: '127.0.0.1', port: ports[spec.port], localAddress };
    const socket: net.Socket = TLS_PORTS.has(spec.port)
      ? tls.connect({ ...options, rejectUnauthorized: false })
      : net.connect(options);
    let said = '';
    let pushing: NodeJS.Timeout | undefined;
    let triggered = false;
    const trigger = (): void => {
      if (!triggered) socket.write(spec.trigger);
      triggered = true;
    };
    const startPushing = (): void => {
      if (pushing !== undefined) return;
      trigger();
      pushing = setInterval(() => {
        if (socket.writable) socket.write(PUSH_CHUNK);
      }, PUSH_INTERVAL_MS);
    };
    const deadline = setTimeout(() => finish(false), CONNECTION_DEADLINE_MS);
    const finish = (closed: boolean): void => {
      clearTimeout(deadline);
      clearInterval(pushing);
      socket.destroy();
      resolve({ said, closed });
    };
    socket.on(TLS_PORTS.has(spec.port) ? 'secureConnect' : 'connect', () => {
      // HTTP speaks first; its pushing starts with the answer (junk pipelined behind the request
      // would be a parse error that drops the answer, not the goodbye path tested here).
      if (spec.port === 'http') trigger();
    });
    socket.on('data', (chunk: Buffer) => {
      said += chunk.toString('latin1');
      startPushing();
    });
    socket.on('end', () => {
      if (hangUpOnFin) finish(true);
    });
    socket.on('error', () => undefined); // a reset while pushing is one way of being hung up on
    socket.on('close', () => finish(true));
  });
}

beforeAll(async () => {
  data = tempDataDir();
  const env: Record<string, string> = {
    MINIMAIL_MAX_CONNECTIONS: '1000',
    MINIMAIL_MAX_CONNECTIONS_PER_IP: '50',
  };
  for (const port of Object.keys(PORT_ENV) as Port[]) {
    ports[port] = await freePort();
    env[PORT_ENV[port]] = String(ports[port]);
  }
  server = await startServer([], cliEnv(data.dir, env));
}, 60_000);

afterAll(async () => {
  await server?.stop('SIGTERM');
  data?.cleanup();
});

/** Every listener greets a new client. */
async function everyListenerGreets(): Promise<void> {
  const greetings: Array<[Port, RegExp]> = [
    ['imap', /^\* OK \[CAPABILITY [^\]]+\] localhost minimail IMAP4rev1 ready$/],
    ['imaps', /^\* OK \[CAPABILITY [^\]]+\] localhost minimail IMAP4rev1 ready$/],
    ['pop3', /^\+OK localhost POP3 server ready$/],
    ['pop3s', /^\+OK localhost POP3 server ready$/],
    ['smtp', /^220 localhost ESMTP minimail$/],
    ['submission', /^220 localhost ESMTP minimail$/],
    ['submissions', /^220 localhost ESMTP minimail$/],
  ];
  for (const [port, greeting] of greetings) {
    const client = await RawClient.connect(ports[port], { tls: TLS_PORTS.has(port) });
    try {
      await client.expect(greeting);
    } finally {
      await client.close();
    }
  }
  const health = await fetch(`http://127.0.0.1:${ports.http}/healthz`);
  expect(health.status).toBe(200);
  await health.text();
}

async function settle<T>(read: () => T | Promise<T>, done: (value: T) => boolean, ms: number): Promise<T> {
  const until = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

describe('connection slots come back on every goodbye path', () => {
  it(`${TOTAL_CONNECTIONS} connections ended by the server while pushing data leave no slot or descriptor behind`, async () => {
    const pid = server!.child.pid!;
    // Warm up every listener once, so descriptors opened on first use (the store's WAL, the
    // TLS context) are in the count before.
    await everyListenerGreets();
    const descriptorsBefore = await settle(
      () => openDescriptors(pid),
      () => false,
      300,
    );
    const failures: string[] = [];
    let started = 0;
    while (started < TOTAL_CONNECTIONS) {
      const batch: Array<Promise<void>> = [];
      for (let i = 0; i < BATCH && started < TOTAL_CONNECTIONS; i++, started++) {
        const spec = ATTACKS[started % ATTACKS.length]!;
        const source = SOURCE_ADDRESSES[started % SOURCE_ADDRESSES.length]!;
        const hangUpOnFin = Math.floor(started / ATTACKS.length) % 2 === 0;
        batch.push(
          attack(spec, source, hangUpOnFin).then(({ said, closed }) => {
            if (!closed) failures.push(`${spec.name}: still open after ${CONNECTION_DEADLINE_MS} ms`);
            else if (!spec.goodbye.test(said))
              failures.push(`${spec.name}: no goodbye in ${JSON.stringify(said.slice(0, 300))}`);
          }),
        );
      }
      await Promise.all(batch);
      // The first failures say enough; 5,000 more would only take time.
      if (failures.length > 0) break;
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(await settle(openConnectionsGauge, (open) => open === 0, 5_000)).toBe(0);
    expect(
      await settle(
        () => openDescriptors(pid),
        (n) => n <= descriptorsBefore,
        5_000,
      ),
    ).toBeLessThanOrEqual(descriptorsBefore);
    await everyListenerGreets();
  }, 120_000);
});
