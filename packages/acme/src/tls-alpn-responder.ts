/**
 * TLS-ALPN-01 (RFC 8737): the validator connects to port 443 of the host, offers only the ALPN
 * protocol `acme-tls/1` and names the host by SNI; the answer is a self-signed certificate carrying
 * the key authorization's digest in the acmeIdentifier extension (made by acme-client). The mail
 * listeners never use 443, so this small TLS server listens there only while a challenge is open.
 */
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';

export const ACME_TLS_ALPN_PROTOCOL = 'acme-tls/1';

export class TlsAlpnResponder {
  private readonly contexts = new Map<string, tls.SecureContext>();
  private server: tls.Server | null = null;

  constructor(private readonly listen: { port: number; host: string }) {}

  /** Answers `hostname` with this certificate (PEM) until `remove`. Starts listening on first use. */
  async add(hostname: string, keyPem: string, certPem: string): Promise<void> {
    this.contexts.set(hostname.toLowerCase(), tls.createSecureContext({ key: keyPem, cert: certPem }));
    if (!this.server) await this.start();
  }

  async remove(hostname: string): Promise<void> {
    this.contexts.delete(hostname.toLowerCase());
    if (this.contexts.size === 0) await this.stop();
  }

  /** The bound port (for port 0 in tests), or null when not listening. */
  port(): number | null {
    return this.server ? (this.server.address() as AddressInfo).port : null;
  }

  private async start(): Promise<void> {
    const server = tls.createServer({
      ALPNProtocols: [ACME_TLS_ALPN_PROTOCOL],
      // RFC 8737 3: only connections naming a host with an open challenge get a certificate.
      SNICallback: (servername, callback) => {
        const context = this.contexts.get(servername.toLowerCase());
        if (context) callback(null, context);
        else callback(new Error(`no TLS-ALPN-01 challenge for ${servername}`));
      },
    });
    // RFC 8737 3: the handshake is the whole answer; no application data follows.
    server.on('secureConnection', (socket) => socket.end());
    server.on('tlsClientError', () => undefined);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listen.port, this.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
