import type { Readable, Writable } from 'node:stream';

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export function println(out: Writable, line = ''): void {
  out.write(`${line}\n`);
}

/** Prints one JSON document (for `--json`): indented, one trailing newline, parseable as a whole. */
export function printJson(out: Writable, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A list command's output: with `--json` one JSON array of the rows, otherwise one line per row
 * (the tab-separated form scripts grep and sort).
 */
export function printRows<T>(
  ctx: { io: CliIo; json: boolean },
  rows: readonly T[],
  line: (row: T) => string,
): void {
  if (ctx.json) printJson(ctx.io.stdout, rows);
  else for (const row of rows) println(ctx.io.stdout, line(row));
}

/** Whether a stream is a terminal (process.stdin/stderr on a TTY are tty.ReadStream/WriteStream). */
export function isTty(stream: Readable | Writable): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** Reads all of stdin (for --password-stdin), without its final line break. */
export async function readAll(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
