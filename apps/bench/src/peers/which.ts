/** Finding the Debian peers (Postfix, Dovecot) without requiring them. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function installed(binary: string): boolean {
  return existsSync(binary);
}

/** Output of a version command, trimmed; null if it fails. */
export function versionOf(command: string, args: readonly string[]): string | null {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return null;
  }
}

/** Running a peer needs root (it drops privileges to its own users), as the Debian packages expect. */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}
