/**
 * Runs a backup or a restore on a worker thread, so that the main thread can draw progress while
 * SQLite copies (progress.ts). Posts `{ ok: true, result }` or `{ ok: false, error }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { restoreStore } from '@minimail/store';
import { openAppStore } from './open-store.js';

export type CopyJob =
  { op: 'backup'; dataDir: string; target: string } | { op: 'restore'; source: string; target: string };

export type CopyResult =
  | { ok: true; previous: string | null }
  | { ok: false; error: { name: string; code?: string; message: string } };

async function runJob(job: CopyJob): Promise<CopyResult> {
  try {
    if (job.op === 'restore') return { ok: true, previous: restoreStore(job.source, job.target).previous };
    const store = openAppStore(job.dataDir);
    try {
      await store.backup(job.target);
    } finally {
      await store.close();
    }
    return { ok: true, previous: null };
  } catch (err) {
    const error = err as Error & { code?: string };
    return {
      ok: false,
      error: { name: error.name, message: error.message, ...(error.code ? { code: error.code } : {}) },
    };
  }
}

parentPort?.postMessage(await runJob(workerData as CopyJob));
