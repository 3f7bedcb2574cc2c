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
  return drained(socket);
}

/**
 * Write several pieces (a status line, a body, the terminator) as one: the socket is corked while
 * they are queued, so Node hands them to the kernel in a single writev. That is one syscall and one
 * client wake-up, like a joined buffer, without copying the body into one. Same backpressure and
 * errors as writeWithBackpressure.
 */
export function writePiecesWithBackpressure(socket: Writable, pieces: readonly Buffer[]): Promise<void> {
  if (socket.destroyed || !socket.writable) return Promise.reject(new ConnectionClosedError());
  let roomLeft = true;
  socket.cork();
  try {
    for (const piece of pieces) roomLeft = socket.write(piece);
  } finally {
    socket.uncork();
  }
  return roomLeft ? Promise.resolve() : drained(socket);
}

/** Resolves on 'drain'; rejects with ConnectionClosedError if the socket closes first. */
function drained(socket: Writable): Promise<void> {
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
