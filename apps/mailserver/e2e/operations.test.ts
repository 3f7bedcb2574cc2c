/**
 * Operations end to end through the real CLI: backup under SMTP load and restore to a working
 * server; the HTTP service (health, metrics, mail catcher); certificate reload on SIGHUP.
 */
import { copyFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { ensureDevCertificate } from '@minimail/protocol';
import { openStore } from '@minimail/store';
import { tlsPeerName } from '@minimail/protocol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { storePath } from '../src/paths.js';
import { cliEnv, freePort, runCli, startServer, tempDataDir, type RunningServer } from './support.js';

const SENDERS = 8;

const dirs: Array<ReturnType<typeof tempDataDir>> = [];
const servers: RunningServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    await server.stop();
  }
  for (const dir of dirs.splice(0)) dir.cleanup();
});

function dataDir(): string {
  const data = tempDataDir();
  dirs.push(data);
  return data.dir;
}

async function serve(env: NodeJS.ProcessEnv, args: string[] = []): Promise<RunningServer> {
  const server = await startServer(args, env);
  servers.push(server);
  return server;
}

async function stop(server: RunningServer): Promise<void> {
  server.kill('SIGTERM');
  expect(await server.exited).toEqual({ code: 0, signal: null });
}

/** One GET on its own connection: status and body. */
function get(port: number, pathAndQuery: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: pathAndQuery, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** How often each X-Test-Id occurs in the store of `dir` (every user's INBOX). */
async function storedTestIds(dir: string): Promise<Map<string, number>> {
  const store = openStore({ path: storePath(dir) });
  const counts = new Map<string, number>();
  try {
    for (const user of await store.listUsers()) {
      const inbox = await store.getMailbox(user.id, 'INBOX');
      if (inbox === null) continue;
      for (const message of await store.listMessages(inbox.id)) {
        const raw = (await store.readBody(message.bodyHash)).toString('utf8');
        const id = /^X-Test-Id: (\S+)/im.exec(raw)?.[1];
        if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
  } finally {
    await store.close();
  }
  return counts;
}

describe('backup and restore', () => {
  it('takes a backup under SMTP load that restores to a working server with every message acknowledged before it', async () => {
    const dir = dataDir();
    const smtpPort = await freePort();
    const server = await serve(cliEnv(dir, { MINIMAIL_SMTP_PORT: String(smtpPort) }));

    const acknowledged = new Set<string>();
    let sending = true;
    const sender = async (n: number): Promise<void> => {
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: smtpPort,
        ignoreTLS: true,
        pool: false,
      });
      try {
        for (let i = 0; sending; i++) {
          const id = `s${n}-m${i}`;
          await transport.sendMail({
            from: 'load@localhost',
            to: `rcpt${n % 3}@example.test`,
            subject: id,
            headers: { 'X-Test-Id': id },
            text: 'x'.repeat(2000),
          });
          acknowledged.add(id);
        }
      } finally {
        transport.close();
      }
    };
    const load = Promise.all(Array.from({ length: SENDERS }, (_, n) => sender(n)));
    while (acknowledged.size < 40) await new Promise((resolve) => setTimeout(resolve, 20));

    // Everything acknowledged before the backup starts must be in it; the load keeps going.
    const before = new Set(acknowledged);
    const backupFile = path.join(dir, 'backup.sqlite');
    const backup = await runCli(['backup', backupFile], cliEnv(dir));
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^backup written to .*backup\.sqlite \(\d+ bytes\)\n$/);
    const duringBackup = acknowledged.size - before.size;
    sending = false;
    await load;

    // Restore refuses while a server has the store open.
    const refused = await runCli(['restore', backupFile], cliEnv(dir));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/in use \(is a minimail server running\?\): stop it before restoring/);
    await stop(server);

    // Restore into a fresh data dir, as after losing a disk.
    const restoredDir = dataDir();
    const restored = await runCli(['restore', backupFile], cliEnv(restoredDir));
    expect(restored.code).toBe(0);
    expect(restored.stdout).toBe(`restored ${backupFile} into ${storePath(restoredDir)}\n`);

    const ids = await storedTestIds(restoredDir);
    const missing = [...before].filter((id) => ids.get(id) !== 1);
    expect(missing).toEqual([]);
    expect([...ids.values()].every((count) => count === 1)).toBe(true);
    expect(before.size).toBeGreaterThanOrEqual(40);
    expect(duringBackup).toBeGreaterThanOrEqual(0);

    // The restored store serves: a new message arrives and the catcher API sees it.
    const newSmtp = await freePort();
    const newHttp = await freePort();
    await serve(
      cliEnv(restoredDir, { MINIMAIL_SMTP_PORT: String(newSmtp), MINIMAIL_HTTP_PORT: String(newHttp) }),
    );
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: newSmtp, ignoreTLS: true });
    await transport.sendMail({
      from: 'a@localhost',
      to: 'after@example.test',
      subject: 'after restore',
      text: 'hi',
    });
    transport.close();
    const waited = await get(newHttp, '/api/messages/wait?to=after@example.test&timeout=10');
    expect(waited.status).toBe(200);
    expect((JSON.parse(waited.body) as { messages: Array<{ subject: string }> }).messages[0]?.subject).toBe(
      'after restore',
    );
  });
});

describe('http service', () => {
  it('catches SMTP mail for the HTTP API and counts it in /metrics', async () => {
    const dir = dataDir();
    const smtpPort = await freePort();
    const httpPort = await freePort();
    await serve(cliEnv(dir, { MINIMAIL_SMTP_PORT: String(smtpPort), MINIMAIL_HTTP_PORT: String(httpPort) }));
    expect(await get(httpPort, '/healthz')).toEqual({ status: 200, body: 'ok\n' });

    const waiting = get(httpPort, '/api/messages/wait?to=dev@example.test&timeout=10');
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true });
    await transport.sendMail({
      from: 'app@localhost',
      to: 'dev@example.test',
      subject: 'caught',
      text: 'hello',
    });
    transport.close();
    const answer = await waiting;
    expect(answer.status).toBe(200);
    const [message] = (
      JSON.parse(answer.body) as { messages: Array<{ id: string; owner: string; subject: string }> }
    ).messages;
    expect(message).toMatchObject({ owner: 'dev@example.test', subject: 'caught' });
    const full = JSON.parse((await get(httpPort, `/api/messages/${message!.id}`)).body) as { text: string };
    expect(full.text).toBe('hello\r\n');

    const metrics = (await get(httpPort, '/metrics')).body;
    expect(metrics).toContain('minimail_messages_total{protocol="smtp",direction="in"} 1');
    expect(metrics).toContain('minimail_commands_total{protocol="smtp",command="DATA"} 1');
    expect(metrics).toMatch(/^minimail_queue_depth\{status="queued"\} 0$/m);
    expect(metrics).toMatch(/^minimail_process_resident_memory_bytes \d+/m);
  });

  it('serves health and metrics but no caught mail in production', async () => {
    const dir = dataDir();
    const httpPort = await freePort();
    await serve(
      cliEnv(dir, {
        MINIMAIL_PROFILE: 'production',
        MINIMAIL_HOSTNAME: 'mx.example.test',
        MINIMAIL_BIND: '127.0.0.1',
        MINIMAIL_HTTP_PORT: String(httpPort),
      }),
      ['--services', 'http'],
    );
    expect((await get(httpPort, '/healthz')).status).toBe(200);
    expect((await get(httpPort, '/metrics')).status).toBe(200);
    expect((await get(httpPort, '/api/messages')).status).toBe(404);
    expect((await get(httpPort, '/')).status).toBe(404);
  });
});

describe('TLS certificate reload', () => {
  it('serves renewed certificate files after SIGHUP, without a restart', async () => {
    const dir = dataDir();
    const certPath = path.join(dir, 'cert.pem');
    const keyPath = path.join(dir, 'key.pem');
    // Self-signed pairs whose subject is the host name; renewal = new files in place.
    const writePair = async (name: string): Promise<void> => {
      const source = path.join(dir, name);
      await ensureDevCertificate(source, name);
      copyFileSync(path.join(source, 'tls', 'key.pem'), keyPath);
      copyFileSync(path.join(source, 'tls', 'cert.pem'), certPath);
    };
    await writePair('first.example.test');
    const smtps = await freePort();
    const pop3s = await freePort();
    const server = await serve(
      cliEnv(dir, {
        MINIMAIL_PROFILE: 'production',
        MINIMAIL_HOSTNAME: 'mx.example.test',
        MINIMAIL_BIND: '127.0.0.1',
        MINIMAIL_TLS_CERT: certPath,
        MINIMAIL_TLS_KEY: keyPath,
        MINIMAIL_SUBMISSIONS_PORT: String(smtps),
        MINIMAIL_POP3S_PORT: String(pop3s),
      }),
      ['--services', 'submission,pop3'],
    );
    expect(await tlsPeerName({ port: smtps })).toBe('first.example.test');
    expect(await tlsPeerName({ port: pop3s })).toBe('first.example.test');

    await writePair('second.example.test');
    server.kill('SIGHUP');
    await server.waitFor(/TLS certificate reloaded/);
    expect(await tlsPeerName({ port: smtps })).toBe('second.example.test');
    expect(await tlsPeerName({ port: pop3s })).toBe('second.example.test');
    // TLS 1.2 is the floor on every listener (RFC 8996).
    await expect(tlsPeerName({ port: smtps, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' })).rejects.toThrow();
    await stop(server);
  });
});
