import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageSpool, SpoolError } from './spool.js';

const KiB = 1024;
let dataDir: string;
let dir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'minimail-spool-'));
  dir = join(dataDir, 'spool');
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const files = (): string[] => readdirSync(dir);
const mode = (path: string): number => statSync(path).mode & 0o777;

describe('MessageSpool', () => {
  it('keeps a message up to the threshold in memory and writes none to disk', async () => {
    const spool = new MessageSpool({ dir, thresholdBytes: 10 * KiB });
    expect(mode(dir)).toBe(0o700);
    const writer = spool.writer();
    expect(writer.write(Buffer.alloc(6 * KiB, 'a'))).toBe(true);
    expect(writer.write(Buffer.alloc(4 * KiB, 'b'))).toBe(true);
    const outcome = await writer.finish();
    expect(outcome).toMatchObject({ kind: 'memory', size: 10 * KiB });
    expect(outcome.kind === 'memory' && Buffer.concat(outcome.chunks).toString('latin1')).toBe(
      'a'.repeat(6 * KiB) + 'b'.repeat(4 * KiB),
    );
    expect(files()).toEqual([]);
  });

  it('moves a message past the threshold to a 0600 file with every byte, removed by discard', async () => {
    const spool = new MessageSpool({ dir, thresholdBytes: 10 * KiB });
    const writer = spool.writer();
    const parts = [Buffer.alloc(8 * KiB, 'a'), Buffer.alloc(8 * KiB, 'b'), Buffer.alloc(100 * KiB, 'c')];
    for (const part of parts) writer.write(part);
    expect(writer.spilled).toBe(true);
    const outcome = await writer.finish();
    if (outcome.kind !== 'file') throw new Error('expected a file');
    expect(outcome.size).toBe(116 * KiB);
    expect(readFileSync(outcome.path).equals(Buffer.concat(parts))).toBe(true);
    expect(mode(outcome.path)).toBe(0o600);
    expect(spool.fileCount).toBe(1);
    writer.discard();
    writer.discard();
    expect(files()).toEqual([]);
    expect(spool.fileCount).toBe(0);
  });

  it('goes to a file at once when the expected size is past the threshold, or when asked to', async () => {
    const spool = new MessageSpool({ dir, thresholdBytes: 10 * KiB });
    const announced = spool.writer(20 * KiB);
    expect(announced.spilled).toBe(true);
    const spilled = spool.writer();
    spilled.write(Buffer.from('small'));
    spilled.spill();
    const outcome = await spilled.finish();
    expect(outcome.kind === 'file' && readFileSync(outcome.path, 'latin1')).toBe('small');
    announced.discard();
    spool.discardAll();
    expect(files()).toEqual([]);
  });

  it('discardAll removes the files of every message still arriving (server close)', async () => {
    const spool = new MessageSpool({ dir, thresholdBytes: KiB });
    const writers = [spool.writer(), spool.writer(), spool.writer()];
    for (const writer of writers) writer.write(Buffer.alloc(4 * KiB));
    await Promise.all(writers.map((writer) => writer.drained()));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(files()).toHaveLength(3);
    spool.discardAll();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(files()).toEqual([]);
  });

  it('a discard racing the file open leaves no file behind', async () => {
    const spool = new MessageSpool({ dir, thresholdBytes: KiB });
    for (let i = 0; i < 20; i++) {
      const writer = spool.writer(2 * KiB);
      writer.write(Buffer.alloc(2 * KiB));
      writer.discard(); // before the asynchronous open has completed
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(files()).toEqual([]);
  });

  it('sweeps old leftovers of a killed process at start, and leaves young files alone', () => {
    new MessageSpool({ dir });
    const old = join(dir, '1-1-old.msg');
    const young = join(dir, '2-2-young.msg');
    writeFileSync(old, 'x');
    writeFileSync(young, 'y');
    const twoHoursAgo = (Date.now() - 2 * 60 * 60 * 1000) / 1000;
    utimesSync(old, twoHoursAgo, twoHoursAgo);
    new MessageSpool({ dir });
    expect(files()).toEqual(['2-2-young.msg']);
  });

  it('a write failure rejects finish with SpoolError, removes the file and drops further bytes', async () => {
    const spool = new MessageSpool({ dir, thresholdBytes: KiB });
    // The spool directory vanishing (an operator's rm, a failed volume) fails the file's open.
    rmSync(dir, { recursive: true });
    const writer = spool.writer(4 * KiB);
    writer.write(Buffer.alloc(2 * KiB));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(writer.write(Buffer.alloc(2 * KiB))).toBe(true);
    await expect(writer.finish()).rejects.toBeInstanceOf(SpoolError);
    expect(spool.fileCount).toBe(0);
  });

  it('the files of messages still arriving are removed when the process exits', () => {
    const script = `
      import { MessageSpool } from ${JSON.stringify(fileURLToPath(new URL('../dist/spool.js', import.meta.url)))};
      const spool = new MessageSpool({ dir: ${JSON.stringify(dir)}, thresholdBytes: 1 });
      const writer = spool.writer(10);
      writer.write(Buffer.from('0123456789'));
      await writer.drained();
      await new Promise((resolve) => setTimeout(resolve, 50));
      console.log(spool.fileCount);
      process.exit(0);
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('1');
    expect(files()).toEqual([]);
  });
});
