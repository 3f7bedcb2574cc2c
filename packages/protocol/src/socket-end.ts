import type { Socket } from 'node:net';
import { LIMITS } from './limits.js';

const GUARDED = Symbol('minimail.closeAfterEnd');

/**
 * Makes sure a socket whose session has ended its side (`* BYE`, POP3 `-ERR`, SMTP `421`, a
 * LOGOUT or QUIT) really goes away, and with it its descriptor and connection slot.
 *
 * Listeners are half-open capable (a client that shuts down its side still gets the last reply),
 * so `end()` alone only sends our FIN: the socket closes when the client's FIN has been read too.
 * A session that has stopped reading leaves the socket paused and never reads that FIN, and a
 * client that keeps sending never sends one: either way the socket stayed open for good (issue
 * 11: 50 such connections locked one IP out). So once our side has finished, whatever the session
 * attached for reading is detached, the rest of the input is read and dropped (so the client's
 * FIN is seen at once and the kernel never answers unread data with a reset that could cut off
 * the last reply: the "lingering close" of RFC 9112 9.6), and the socket is destroyed when the
 * client hangs up or after `lingerMs`, whichever comes first.
 *
 * Idempotent per socket; used by startListener (each accepted socket) and upgradeToTls (each TLS
 * socket), so every session socket of the hand-written servers has it.
 */
export function closeAfterEnd(socket: Socket, lingerMs: number = LIMITS.closeLingerMs): void {
  const marked = socket as Socket & { [GUARDED]?: true };
  if (marked[GUARDED]) return;
  marked[GUARDED] = true;
  socket.once('finish', () => {
    if (socket.destroyed) return;
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    // The client's FIN after ours: nothing is left to say in either direction.
    socket.once('end', () => socket.destroy());
    // A session that still wants input after its own end cannot answer it; drop it unread.
    socket.unpipe();
    socket.removeAllListeners('data');
    socket.on('data', discard);
    socket.resume();
  });
}

const discard = (): void => {};
