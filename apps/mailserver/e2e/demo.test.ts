import { afterEach, describe, expect, it } from 'vitest';
import { cliEnv, freePort, runCli, startServer, tempDataDir, type RunningServer } from './support.js';

describe('minimail demo', () => {
  let data: ReturnType<typeof tempDataDir> | undefined;
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
    data?.cleanup();
  });

  it('shows one message going in by SMTP and out by POP3 and IMAP, line by line', async () => {
    data = tempDataDir();
    const ports = {
      MINIMAIL_SMTP_PORT: String(await freePort()),
      MINIMAIL_POP3_PORT: String(await freePort()),
      MINIMAIL_IMAP_PORT: String(await freePort()),
      MINIMAIL_HTTP_PORT: String(await freePort()),
    };
    const env = cliEnv(data.dir, ports);
    server = await startServer([], env);
    const demo = await runCli(['demo', '--password', 'top-secret'], env);
    expect(demo.stderr).toBe('');
    expect(demo.code).toBe(0);
    const lines = demo.stdout.split('\n');
    expect(lines).toContain('C: RCPT TO:<demo@example.test>');
    expect(lines.some((line) => /^S: 250 /.test(line))).toBe(true);
    expect(lines).toContain('C: PASS ********');
    expect(lines).toContain('S: Hello from the send side.');
    expect(lines.some((line) => /^S: a4 OK/.test(line))).toBe(true);
    expect(demo.stdout).not.toContain('top-secret');
    // It ends with the Journey URL of the message it sent (issue 16), whose journey is these sessions.
    const last = lines.filter((line) => line !== '').at(-1)!;
    const match =
      /^Journey \(the three sessions above, explained\): (http:\/\/127\.0\.0\.1:\d+)\/\?message=(\d+-\d+)&tab=journey$/.exec(
        last,
      );
    expect(match, last).not.toBeNull();
    const journey = (await (await fetch(`${match![1]}/api/v1/message/${match![2]}/journey`)).json()) as {
      steps: Array<{ session: { protocol: string }; links: Array<{ action: string }> }>;
    };
    expect(journey.steps.map((step) => [step.session.protocol, step.links.map((l) => l.action)])).toEqual([
      ['smtp', ['delivered']],
      ['pop3', ['read']],
      ['imap', ['read', 'listed']],
    ]);
    // The IMAP FETCH of BODY[TEXT] set \Seen, which the next FETCH shows.
    expect(
      lines.some(
        (line) =>
          /^S: \* \d+ FETCH \(UID \d+ FLAGS \(.*\\Seen/.test(line) ||
          /^S: \* \d+ FETCH \(FLAGS \(.*\\Seen/.test(line),
      ),
    ).toBe(true);
  });

  it('refuses to run against the production profile', async () => {
    data = tempDataDir();
    const result = await runCli(['demo'], cliEnv(data.dir, { MINIMAIL_PROFILE: 'production' }));
    expect(result).toMatchObject({ code: 1 });
    expect(result.stderr).toBe(
      'minimail: demo speaks plaintext on the dev ports; run it against the dev profile\n',
    );
  });
});
