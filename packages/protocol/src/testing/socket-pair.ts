import net from 'node:net';

/** A connected loopback TCP pair: `server` is the accepted side, `client` the connecting side. */
export interface SocketPair {
  server: net.Socket;
  client: net.Socket;
  close(): Promise<void>;
}

export async function socketPair(options: { allowHalfOpen?: boolean } = {}): Promise<SocketPair> {
  const listener = net.createServer({ allowHalfOpen: options.allowHalfOpen ?? true, pauseOnConnect: true });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as net.AddressInfo;
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => client.once('connect', resolve));
  const server = await accepted;
  return {
    server,
    client,
    close: async () => {
      client.destroy();
      server.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}

/** Resolves once `socket` has emitted 'close'. */
export function onceClosed(socket: net.Socket): Promise<void> {
  return socket.destroyed && socket.closed
    ? Promise.resolve()
    : new Promise((resolve) => socket.once('close', () => resolve()));
}
