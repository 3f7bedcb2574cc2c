import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createMetrics, type Metrics } from '@minimail/protocol';
import { openStore, type MailStore } from '@minimail/store';
import { createHttpServer, indexBody } from '../index.js';
import type { HttpListener, HttpServiceOptions } from '../options.js';
import type { Profile } from '@minimail/protocol';

export interface Setup {
  port: number;
  store: MailStore;
  path: string;
  metrics: Metrics;
  http: HttpListener;
  /** The options the server was made with (to build a second app on the same store). */
  options: HttpServiceOptions;
  /** A second store on the same file: its deliveries reach the server only through the change feed. */
  otherStore(): MailStore;
  close(): Promise<void>;
}

export async function startHttp(
  profile: Profile,
  extra: Partial<HttpServiceOptions> = {},
  bind = '127.0.0.1',
): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'minimail-http-'));
  const path = join(dir, 'minimail.sqlite');
  // A short poll interval keeps cross-connection waits quick; the default (250 ms) works the same.
  const store = openStore({ path, changePollIntervalMs: 50, indexBody });
  const metrics = createMetrics({ processMetrics: false, outboundQueue: store });
  const options: HttpServiceOptions = {
    store,
    logger: createLogger({ level: process.env['MINIMAIL_TEST_HTTP_LOG'] === '1' ? 'error' : 'silent' }),
    registry: metrics.registry,
    profile,
    ...extra,
  };
  const http = createHttpServer(options);
  const port = await http.listen(0, bind);
  const others: MailStore[] = [];
  return {
    port,
    store,
    path,
    metrics,
    http,
    options,
    otherStore() {
      const other = openStore({ path, indexBody });
      others.push(other);
      return other;
    },
    async close() {
      await http.close();
      for (const other of others) await other.close();
      await store.close().catch(() => undefined); // some tests close it on purpose
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Delivers `raw` (LF or CRLF) to `address`'s INBOX, creating the account as dev delivery does. */
export async function deliverTo(store: MailStore, address: string, raw: string): Promise<number> {
  const user = await store.ensureUser(address);
  const result = await store.deliver({
    raw: Buffer.from(raw.replace(/\r?\n/g, '\r\n')),
    targets: [{ userId: user.id }],
  });
  return result.copies[0]!.uid;
}
