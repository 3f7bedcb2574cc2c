/**
 * The interleaved conversation of every checker client, as a bounded ring (the last
 * TRANSCRIPT_TAIL lines), printed with the seed when a violation is found.
 */

/** How many lines a failure report shows: enough to see the interleaving that broke the rule. */
export const TRANSCRIPT_TAIL = 5000;

export class Transcript {
  private readonly lines: string[] = [];
  private next = 0;

  record(client: number, direction: 'C' | 'S' | '#', text: string): void {
    const line = `${String(client).padStart(2)} ${direction}: ${text.length > 300 ? `${text.slice(0, 300)}...` : text}`;
    if (this.lines.length < TRANSCRIPT_TAIL) this.lines.push(line);
    else this.lines[this.next] = line;
    this.next = (this.next + 1) % TRANSCRIPT_TAIL;
  }

  /** The last `count` lines in order; only those of `client` when given. */
  tail(count: number, client?: number): string[] {
    const ordered =
      this.lines.length < TRANSCRIPT_TAIL
        ? this.lines
        : [...this.lines.slice(this.next), ...this.lines.slice(0, this.next)];
    const prefix = client === undefined ? null : `${String(client).padStart(2)} `;
    return (prefix === null ? ordered : ordered.filter((line) => line.startsWith(prefix))).slice(-count);
  }
}
