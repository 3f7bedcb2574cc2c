/**
 * A password typed on the terminal without echo: the terminal is put in raw mode so the line
 * discipline neither echoes nor buffers, and the keys are read one by one (Enter ends, Backspace
 * deletes, Ctrl-C / Ctrl-D cancel). The prompt goes to stderr so stdout stays the command's output.
 */
import type { ReadStream } from 'node:tty';
import type { Readable, Writable } from 'node:stream';
import { CliError } from './cli-error.js';

/** Longest password a prompt takes (a paste of something else would otherwise grow unbounded). */
const MAX_PASSWORD_LENGTH = 4096;

export function promptHidden(input: Readable, output: Writable, prompt: string): Promise<string> {
  const tty = input as ReadStream;
  return new Promise((resolve, reject) => {
    let typed = '';
    // Echo goes off before the prompt is shown: keys typed (or pasted) the moment it appears stay hidden.
    tty.setRawMode(true);
    output.write(prompt);
    tty.resume();
    const finish = (error: Error | null): void => {
      tty.off('data', onData);
      tty.setRawMode(false);
      tty.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(null);
        if (char === '\u0003' || char === '\u0004') return finish(new CliError('cancelled', 1));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
        if (typed.length > MAX_PASSWORD_LENGTH) {
          return finish(new CliError(`a password is at most ${MAX_PASSWORD_LENGTH} characters`));
        }
      }
    };
    tty.on('data', onData);
  });
}

/** Asks twice, as passwd(1) does: a typo in a password nobody can see would lock the user out. */
export async function promptNewPassword(input: Readable, output: Writable): Promise<string> {
  const first = await promptHidden(input, output, 'Password: ');
  const again = await promptHidden(input, output, 'Password (again): ');
  if (first !== again) throw new CliError('the passwords do not match');
  return first;
}
