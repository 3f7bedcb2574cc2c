import net, { type AddressInfo } from 'node:net';

/**
 * A stand-in next hop that breaks TLS (issue 11): it greets, offers STARTTLS in EHLO, and then
 * either refuses the STARTTLS command with `refusal` (e.g. `554 5.7.0 ...`), or says go ahead and
 * answers the client's ClientHello with bytes that are not TLS. It records what it was asked.
 */
export interface BrokenTlsMx {
  port: number;
  /** Commands received, in order. */
  commands: string[];
  close(): Promise<void>;
}

export async function startBrokenTlsMx(
  behaviour: { refusal: string } | 'garbage-handshake',
): Promise<BrokenTlsMx> {
  const commands: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write('220 broken.test ESMTP\r\n');
    let buffered = '';
    let tlsStarted = false;
    socket.on('data', (chunk: Buffer) => {
      if (tlsStarted) {
        // The ClientHello: answer with plaintext nonsense, then hang up.
        socket.end('this is not a TLS ServerHello\r\n');
        return;
      }
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) !== -1) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        commands.push(line);
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO') socket.write('250-broken.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n');
        else if (verb === 'STARTTLS') {
          if (behaviour === 'garbage-handshake') {
            socket.write('220 2.0.0 Go ahead\r\n');
            tlsStarted = true;
          } else socket.write(`${behaviour.refusal}\r\n`);
        } else if (verb === 'QUIT') socket.end('221 2.0.0 Bye\r\n');
        else socket.write('250 2.0.0 OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    commands,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
