import { spawn } from 'node:child_process';

/** Runs a Node script to its end; resolves with its stdout and when it exited, rejects unless code 0. */
export function runNode(script: string, args: string[]): Promise<{ stdout: string; exitedAt: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve({ stdout, exitedAt: Date.now() }) : reject(new Error(`child exited with ${code}`)),
    );
  });
}
