/**
 * "Nothing accepted is lost": SIGKILL the server while 20 connections are sending, restart it, and find
 * every message that got a 250 in the store.
 */
import nodemailer from 'nodemailer';
import { openStore } from '@minimail/store';
import { afterEach, describe, expect, it } from 'vitest';
import { storePath } from '../src/paths.js';
import { cliEnv, freePort, startServer, tempDataDir, type RunningServer } from './support.js';

const SENDERS = 20;
const MAX_MESSAGES_PER_SENDER = 200;

describe('durability', () => {
  let data: ReturnType<typeof tempDataDir> | undefined;
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
    data?.cleanup();
  });

  it('keeps every message that got 250 when the server is SIGKILLed mid-load', async () => {
    data = tempDataDir();
    const port = await freePort();
    const env = cliEnv(data.dir, { MINIMAIL_SMTP_PORT: String(port) });
    server = await startServer([], env);

    const acknowledged = new Set<string>();
    let attempted = 0;
    const filler = 'x'.repeat(76) + '\r\n';
    const sender = async (n: number): Promise<void> => {
      for (let i = 0; i < MAX_MESSAGES_PER_SENDER; i++) {
        const id = `s${n}-m${i}`;
        attempted++;
        // A new connection per message, as many applications send.
        const transport = nodemailer.createTransport({
          host: '127.0.0.1',
          port,
          secure: false,
          ignoreTLS: true,
        });
        try {
          await transport.sendMail({
            from: 'load@localhost',
            to: `rcpt${n % 4}@example.test`,
            subject: id,
            headers: { 'X-Test-Id': id },
            text: filler.repeat(100),
          });
          acknowledged.add(id);
        } catch {
          return; // the server is gone: this sender stops
        } finally {
          transport.close();
        }
      }
    };
    const senders = Array.from({ length: SENDERS }, (_, n) => sender(n));
    // Kill once a fair amount has been acknowledged, while the senders are still going.
    const deadline = Date.now() + 20_000;
    while (acknowledged.size < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    server.kill('SIGKILL');
    await server.exited;
    await Promise.all(senders);
    expect(acknowledged.size).toBeGreaterThanOrEqual(100);
    expect(attempted).toBeGreaterThan(acknowledged.size); // the kill really interrupted the load

    // Restart: the server opens the same store and serves again.
    server = await startServer([], env);
    server.kill('SIGTERM');
    await server.exited;

    const store = openStore({ path: storePath(data.dir) });
    try {
      const found = new Map<string, number>();
      for (let r = 0; r < 4; r++) {
        const user = await store.getUser(`rcpt${r}@example.test`);
        if (!user) continue;
        const inbox = await store.getMailbox(user.id, 'INBOX');
        for (const message of await store.listMessages(inbox!.id)) {
          const head = (await store.readBody(message.bodyHash)).subarray(0, 4096).toString('latin1');
          const id = /^X-Test-Id: (\S+)/im.exec(head)?.[1];
          if (id) found.set(id, (found.get(id) ?? 0) + 1);
        }
      }
      const lost = [...acknowledged].filter((id) => !found.has(id));
      expect(lost).toEqual([]);
      // Each acknowledged message is there exactly once.
      for (const id of acknowledged) expect(found.get(id)).toBe(1);
    } finally {
      await store.close();
    }
  });
});
