/**
 * Deliveries and POP3-style deletes from "another process": a worker thread with its own store
 * connection to the same SQLite file, exactly what a separate SMTP or POP3 process is to SQLite.
 * The IMAP server hears of its commits only through the store's cross-process change feed
 * (PRAGMA data_version polling), as it would in docker-compose. The worker is plain JavaScript
 * (eval), so it needs no build step; it resolves @minimail/store like the package does.
 */
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import('@minimail/store').then(({ openStore }) => {
  const store = openStore({ path: workerData.path, changePollIntervalMs: 60_000 });
  parentPort.on('message', async (request) => {
    try {
      let result = null;
      if (request.op === 'deliver') {
        const delivered = await store.deliver({
          raw: Buffer.from(request.raw),
          targets: [{ mailboxId: request.mailboxId }],
          ...(request.flags ? { flags: request.flags } : {}),
        });
        result = delivered.copies[0].uid;
      } else if (request.op === 'expunge') {
        result = await store.expunge(request.mailboxId, request.uids);
      } else if (request.op === 'close') {
        await store.close();
      }
      parentPort.postMessage({ id: request.id, result });
    } catch (error) {
      parentPort.postMessage({ id: request.id, error: String(error && error.stack || error) });
    }
  });
  parentPort.postMessage({ ready: true });
});
`;

type Request =
  | { op: 'deliver'; mailboxId: number; raw: string; flags?: string[] }
  | { op: 'expunge'; mailboxId: number; uids: number[] }
  | { op: 'close' };

export class OtherProcess {
  private nextId = 1;
  /** Writes committed by the other connection so far. */
  writes = 0;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: { id?: number; result?: unknown; error?: string }) => {
      if (message.id === undefined) return;
      const pending = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error !== undefined) pending?.reject(new Error(message.error));
      else {
        this.writes += 1;
        pending?.resolve(message.result);
      }
    });
  }

  static async start(path: string): Promise<OtherProcess> {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path } });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    return new OtherProcess(worker);
  }

  deliver(mailboxId: number, raw: string, flags?: string[]): Promise<unknown> {
    return this.call({ op: 'deliver', mailboxId, raw, ...(flags ? { flags } : {}) });
  }

  expunge(mailboxId: number, uids: number[]): Promise<unknown> {
    return this.call({ op: 'expunge', mailboxId, uids });
  }

  async close(): Promise<void> {
    await this.call({ op: 'close' });
    await this.worker.terminate();
  }

  private call(request: Request): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }
}
