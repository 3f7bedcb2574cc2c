import tls from 'node:tls';

/**
 * Completes a TLS handshake (implicit TLS on `port`, or over `socket` after a STARTTLS) without
 * verifying the chain, and returns the certificate's common name: what the reload and version
 * tests check. The socket is destroyed either way; a refused handshake rejects.
 */
export async function tlsPeerName(options: tls.ConnectionOptions): Promise<string | undefined> {
  const socket = tls.connect({ host: '127.0.0.1', rejectUnauthorized: false, ...options });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    const name = socket.getPeerCertificate().subject?.CN;
    return typeof name === 'string' ? name : undefined;
  } finally {
    socket.destroy();
  }
}
