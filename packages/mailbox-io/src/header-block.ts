/**
 * The top-level header block of a message, byte-exact: find where it ends and drop or add fields
 * without touching any other byte (the body and the remaining fields keep their exact form).
 */

const LF = 0x0a;

/** Offset just past the header block's last line (before the empty line), or the length if none. */
export function headerEnd(message: Buffer): number {
  let lineStart = 0;
  while (lineStart < message.length) {
    const lf = message.indexOf(LF, lineStart);
    const lineEnd = lf < 0 ? message.length : lf + 1;
    const line = message.subarray(lineStart, lineEnd);
    if (line.length === 1 || (line.length === 2 && line[0] === 0x0d)) return lineStart;
    lineStart = lineEnd;
  }
  return message.length;
}

/**
 * Removes the named fields (lower-case names) from the header block, with their continuation
 * lines, and returns their unfolded values (first occurrence of each).
 */
export function takeHeaderFields(
  message: Buffer,
  names: readonly string[],
): { message: Buffer; values: Map<string, string> } {
  const end = headerEnd(message);
  const kept: Buffer[] = [];
  const values = new Map<string, string>();
  let dropping = false;
  let lineStart = 0;
  let changed = false;
  while (lineStart < end) {
    const lf = message.indexOf(LF, lineStart);
    const lineEnd = lf < 0 || lf >= end ? end : lf + 1;
    const line = message.subarray(lineStart, lineEnd);
    const continuation = line[0] === 0x20 || line[0] === 0x09;
    if (!continuation) {
      const colon = line.indexOf(0x3a);
      const name = colon > 0 ? line.subarray(0, colon).toString('latin1').trim().toLowerCase() : '';
      dropping = names.includes(name);
      if (dropping && !values.has(name))
        values.set(
          name,
          line
            .subarray(colon + 1)
            .toString('latin1')
            .trim(),
        );
    } else if (dropping) {
      const name = [...values.keys()].at(-1);
      if (name !== undefined) values.set(name, `${values.get(name)} ${line.toString('latin1').trim()}`);
    }
    if (dropping) changed = true;
    else kept.push(line);
    lineStart = lineEnd;
  }
  if (!changed) return { message, values };
  return { message: Buffer.concat([...kept, message.subarray(end)]), values };
}

/** Inserts LF-terminated field lines at the end of the header block (an LF message). */
export function addHeaderFieldsLf(message: Buffer, lines: readonly string[]): Buffer {
  if (lines.length === 0) return message;
  const end = headerEnd(message);
  const block = Buffer.from(lines.map((line) => `${line}\n`).join(''), 'latin1');
  // A header block that does not end in a line break (a message of one unterminated line) gets one.
  const needsBreak = end > 0 && message[end - 1] !== LF;
  return Buffer.concat([
    message.subarray(0, end),
    needsBreak ? Buffer.from('\n') : Buffer.alloc(0),
    block,
    message.subarray(end),
  ]);
}
