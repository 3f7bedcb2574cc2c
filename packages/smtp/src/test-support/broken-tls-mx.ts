import net, { type AddressInfo } from 'node:net';

/**
 * A stand-in next hop that breaks TLS (issue 11): it greets, offers STARTTLS in EHLO, and then
 * either refuses the STARTTLS command with `refusal` (e.g. `554 5.7.0 ...`), or says go ahead and
 * answers the client's ClientHello with bytes that are not TLS. It records what it was asked, so
 * it also serves as a raw recorder of the exact commands a client sent (`{ accept }`).
 */
export interface BrokenTlsMx {
  port: number;
  /** Commands received, in order. */
  commands: string[];
  close(): Promise<void>;
}

/** `{ accept }`: no STARTTLS at all, SMTPUTF8 offered or not, every message taken (a raw recorder). */
export type StandInBehaviour =
  { refusal: string } | 'garbage-handshake' | { accept: true; smtpUtf8: boolean };

export async function startBrokenTlsMx(behaviour: StandInBehaviour): Promise<BrokenTlsMx> {
  const commands: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write('220 broken.test ESMTP\r\n');
    let buffered = '';
    let tlsStarted = false;
    let inData = false;
    socket.on('data', (chunk: Buffer) => {
      if (inData) {
        buffered += chunk.toString('utf8');
        const end = buffered.indexOf('\r\n.\r\n');
        if (end === -1) return;
        buffered = buffered.slice(end + 5);
        inData = false;
        socket.write('250 2.0.0 Queued\r\n');
        if (buffered === '') return;
        chunk = Buffer.alloc(0);
      }
      if (tlsStarted) {
        // The ClientHello: answer with plaintext nonsense, then hang up.
        socket.end('this is not a TLS ServerHello\r\n');
        return;
      }
      buffered += chunk.toString('utf8');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) !== -1) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        commands.push(line);
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO') {
          const offers =
            typeof behaviour === 'object' && 'accept' in behaviour
              ? behaviour.smtpUtf8
                ? ['SMTPUTF8']
                : []
              : ['STARTTLS'];
          socket.write(
            ['250-broken.test', ...offers.map((offer) => `250-${offer}`), '250 8BITMIME\r\n'].join('\r\n'),
          );
        } else if (verb === 'DATA') {
          socket.write('354 Go ahead\r\n');
          inData = true;
          return;
        } else if (verb === 'STARTTLS' && typeof behaviour === 'object' && 'accept' in behaviour) {
          socket.write('502 5.5.1 Not offered\r\n');
        } else if (verb === 'STARTTLS') {
          if (behaviour === 'garbage-handshake') {
            socket.write('220 2.0.0 Go ahead\r\n');
            tlsStarted = true;
          } else if ('refusal' in behaviour) socket.write(`${behaviour.refusal}\r\n`);
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
