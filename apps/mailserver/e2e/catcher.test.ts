import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cliEnv, freePort, startServer, tempDataDir, type RunningServer } from './support.js';

/**
 * The catcher's team features through the real `minimail serve` (dev profile): chaos set by env
 * and changed over HTTP, acting on the SMTP listener of the same process; release of a caught
 * message through a local stand-in SMTP server (the relay engine's client); retention by env.
 */
describe('mail catcher: chaos, release, retention (minimail serve)', () => {
  let server: RunningServer | undefined;
  let standIn: SMTPServer | undefined;
  const data = tempDataDir();
  afterAll(() => data.cleanup());
  afterEach(async () => {
    await server?.stop('SIGTERM');
    server = undefined;
    await new Promise((done) => (standIn ? standIn.close(() => done(null)) : done(null)));
    standIn = undefined;
  });

  it('fails RCPT by MINIMAIL_CHAOS, changes over /api/v1/chaos, releases to a stand-in, keeps MINIMAIL_MAX_MESSAGES', async () => {
    const received: Array<{ from: string; to: string[]; raw: string }> = [];
    standIn = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
          });
          callback();
        });
      },
    });
    await new Promise<void>((done) => standIn!.listen(0, '127.0.0.1', done));
    const standInPort = (standIn.server.address() as AddressInfo).port;
    const [smtpPort, httpPort] = [await freePort(), await freePort()];
    server = await startServer(
      ['--services', 'smtp,http'],
      cliEnv(data.dir, {
        MINIMAIL_SMTP_PORT: String(smtpPort),
        MINIMAIL_HTTP_PORT: String(httpPort),
        MINIMAIL_CHAOS: 'rcpt=451:100',
        MINIMAIL_RELEASE_SMTP: `127.0.0.1:${standInPort}`,
        MINIMAIL_RELEASE_TLS: 'none',
        MINIMAIL_MAX_MESSAGES: '2',
      }),
    );
    const api = `http://127.0.0.1:${httpPort}/api/v1`;
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    const send = (subject: string) =>
      transport.sendMail({
        from: 'app@shop.test',
        to: 'alice@dev.test',
        subject,
        text: `body of ${subject}`,
      });

    await expect(send('refused')).rejects.toMatchObject({ responseCode: 451 });
    expect(await (await fetch(`${api}/chaos`)).json()).toEqual({
      Sender: { ErrorCode: 451, Probability: 0 },
      Recipient: { ErrorCode: 451, Probability: 100 },
      Authentication: { ErrorCode: 451, Probability: 0 },
      Data: { ErrorCode: 451, Probability: 0 },
    });
    // Off over HTTP (a stage left out is turned off): the same listener takes mail again.
    const put = await fetch(`${api}/chaos`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(put.status).toBe(200);
    for (const subject of ['first', 'second', 'third']) await send(subject);
    transport.close();

    // Retention keeps the newest 2.
    await expect
      .poll(
        async () =>
          (
            (await (await fetch(`${api}/messages`)).json()) as { messages: Array<{ Subject: string }> }
          ).messages.map((m) => m.Subject),
        {
          timeout: 10_000,
        },
      )
      .toEqual(['third', 'second']);
    // Search from the store's index (SQLite FTS5, or pg_trgm in the 'e2e on postgres' project):
    // a case-insensitive phrase, and a field term.
    const search = async (query: string) => {
      const found = (await (await fetch(`${api}/search?query=${encodeURIComponent(query)}`)).json()) as {
        messages_count: number;
        messages: Array<{ Subject: string }>;
      };
      return [found.messages_count, found.messages.map((m) => m.Subject)];
    };
    expect(await search('"BODY OF SECOND"')).toEqual([1, ['second']]);
    expect(await search('from:shop.test -subject:third')).toEqual([1, ['second']]);

    const release = await fetch(`${api}/message/latest/release`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ To: ['someone@real.test'] }),
    });
    expect([release.status, await release.text()]).toEqual([200, 'ok']);
    expect(received).toHaveLength(1);
    expect(received[0]!.from).toBe('app@shop.test');
    expect(received[0]!.to).toEqual(['someone@real.test']);
    expect(received[0]!.raw).toContain('Subject: third');
    expect(received[0]!.raw).toContain('body of third');
  });
});
