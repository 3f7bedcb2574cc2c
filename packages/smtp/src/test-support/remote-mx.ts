import { SMTPServer } from 'smtp-server';
import type { SMTPServerAuthentication, SMTPServerSession } from 'smtp-server';
import { testCertificate } from './tls-cert.js';

/** One message as the stand-in remote MX received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  data: Buffer;
  secure: boolean;
  user: string | undefined;
  /** RFC 3461 parameters as received (only when started with `dsn: true`). */
  dsn?: {
    ret: string | null;
    envid: string | null;
    rcpt: Array<{ notify?: string[] | undefined; orcpt?: string | undefined } | undefined>;
  };
}

/** A scripted answer: undefined accepts; otherwise the reply code and text to refuse with. */
export type Script = (
  stage: 'rcpt' | 'data',
  address: string,
  attempt: number,
) => { code: number; text: string } | undefined;

export interface RemoteMx {
  port: number;
  received: ReceivedMail[];
  /** DATA attempts seen so far (accepted or not). */
  dataAttempts: number;
  close(): Promise<void>;
}

/**
 * A second SMTP server that plays the remote MX (or a smarthost) on 127.0.0.1:0. It offers
 * STARTTLS with a self-signed certificate, accepts any AUTH login when `auth` is set, and answers
 * RCPT and DATA as `script` says; `smtpUtf8: false` leaves SMTPUTF8 out of its EHLO reply.
 */
export async function startRemoteMx(
  options: {
    script?: Script;
    auth?: { user: string; pass: string };
    tls?: boolean;
    smtpUtf8?: boolean;
    /** Its STARTTLS certificate instead of the shared `localhost` one (MTA-STS tests). */
    certificate?: { key: string; cert: string };
    /** Offer DSN (RFC 3461) and record the parameters. */
    dsn?: boolean;
  } = {},
): Promise<RemoteMx> {
  const cert = options.tls === false ? null : (options.certificate ?? (await testCertificate()));
  const received: ReceivedMail[] = [];
  const state = { dataAttempts: 0 };
  const rcptAttempts = new Map<string, number>();
  const refuse = (reply: { code: number; text: string }): Error & { responseCode: number } =>
    Object.assign(new Error(reply.text), { responseCode: reply.code });
  const server = new SMTPServer({
    ...(cert !== null ? { key: cert.key, cert: cert.cert } : {}),
    disabledCommands: [
      ...(cert === null ? ['STARTTLS'] : []),
      ...(options.auth === undefined ? ['AUTH'] : []),
    ],
    authOptional: options.auth === undefined,
    allowInsecureAuth: false,
    disableReverseLookup: true,
    // RFC 6531: offered unless the test plays a next hop without it.
    hideSMTPUTF8: options.smtpUtf8 === false,
    hideDSN: options.dsn !== true,
    logger: false,
    onAuth(auth: SMTPServerAuthentication, _session: SMTPServerSession, callback) {
      if (auth.username === options.auth?.user && auth.password === options.auth?.pass) {
        callback(null, { user: auth.username });
      } else callback(new Error('535 bad credentials'));
    },
    onRcptTo(address, _session, callback) {
      const attempt = (rcptAttempts.get(address.address) ?? 0) + 1;
      rcptAttempts.set(address.address, attempt);
      const reply = options.script?.('rcpt', address.address, attempt);
      callback(reply === undefined ? null : refuse(reply));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        state.dataAttempts += 1;
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
        const reply = options.script?.('data', to.join(','), state.dataAttempts);
        if (reply !== undefined) {
          callback(refuse(reply));
          return;
        }
        received.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to,
          data: Buffer.concat(chunks),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
          ...(options.dsn === true
            ? {
                dsn: {
                  ret: session.envelope.dsn?.ret ?? null,
                  envid: session.envelope.dsn?.envid ?? null,
                  rcpt: session.envelope.rcptTo.map((rcpt) => rcpt.dsn),
                },
              }
            : {}),
        });
        callback(null, 'Queued as 12345');
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
  return {
    port,
    received,
    get dataAttempts() {
      return state.dataAttempts;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
