/**
 * Progress of a long file copy (backup, restore) on a terminal: bytes and percent on one stderr
 * line, redrawn in place. The copy itself runs on a worker thread (copy-worker.ts), because SQLite
 * copies in one synchronous step (ADR 0013's store keeps the backup one consistent step); this
 * thread watches the file the copy writes grow.
 */
import { statSync } from 'node:fs';
import type { Writable } from 'node:stream';

/** How often the line is redrawn. */
const REDRAW_MS = 200;

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** One progress line: `backup: 1.5 MiB of 3.0 MiB (50%)`. */
export function progressLine(label: string, done: number, total: number): string {
  const percent = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
  return `${label}: ${formatBytes(done)} of ${formatBytes(total)} (${percent}%)`;
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Redraws `label: X of Y (P%)` while `file` grows toward `total` bytes, until `work` settles; then
 * prints the final line (100% when it succeeded) and a line break.
 */
export async function withProgress<T>(
  out: Writable,
  label: string,
  watch: { file: string; total: number },
  work: Promise<T>,
): Promise<T> {
  // Never above 99% while running: the total is an estimate (the live store's file sizes).
  const draw = (done: number, total: number): void =>
    void out.write(`\r\x1b[K${progressLine(label, done, total)}`);
  draw(0, watch.total);
  const timer = setInterval(() => {
    const done = Math.min(sizeOf(watch.file), Math.floor(watch.total * 0.99));
    draw(done, watch.total);
  }, REDRAW_MS);
  try {
    const result = await work;
    draw(watch.total, watch.total);
    return result;
  } finally {
    clearInterval(timer);
    out.write('\n');
  }
}
