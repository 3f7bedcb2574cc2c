import type { Writable } from 'node:stream';
import { ConnectionClosedError } from './errors.js';

/**
 * Write to a socket and wait for 'drain' when its buffer is full, so a slow reader holds us back
 * instead of making us buffer a whole message. Rejects with ConnectionClosedError if the socket
 * closes first.
 */
export function writeWithBackpressure(socket: Writable, data: Buffer | string): Promise<void> {
  if (socket.destroyed || !socket.writable) return Promise.reject(new ConnectionClosedError());
  if (socket.write(data)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onClose = (): void => {
      cleanup();
      reject(new ConnectionClosedError());
    };
    const cleanup = (): void => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
    };
    socket.on('drain', onDrain);
    socket.on('close', onClose);
  });
}
