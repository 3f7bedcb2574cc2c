/**
 * Hands one message to the local SMTP listener (the MX port of the configuration) with nodemailer's
 * SMTP client, and the -bs mode that relays an SMTP conversation on stdin/stdout to it.
 */
import net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { CliError } from '../cli-error.js';
import { EX } from './args.js';

export interface Submission {
  host: string;
  port: number;
  /** Our name in EHLO. */
  name: string;
  sender: string;
  recipients: string[];
  raw: Buffer;
}

function unreachable(host: string, port: number, err: Error & { code?: string | undefined }): CliError {
  const refused = err.code === 'ECONNREFUSED' || /\bECONNREFUSED\b/.test(err.message);
  const reason = refused ? 'connection refused' : err.message;
  return new CliError(
    `sendmail: cannot reach the SMTP server at ${host}:${port} (${reason}): is \`minimail serve\` running?`,
    EX.TEMPFAIL,
  );
}

/** Resolves with the addresses the server refused (none: all accepted); rejects if nothing was sent. */
export function submit(message: Submission): Promise<{ rejected: string[]; errors: string[] }> {
  return new Promise((resolve, reject) => {
    const connection = new SMTPConnection({
      host: message.host,
      port: message.port,
      secure: false,
      ignoreTLS: true,
      name: message.name,
      connectionTimeout: 10_000,
    });
    let settled = false;
    const fail = (err: CliError): void => {
      if (settled) return;
      settled = true;
      connection.close();
      reject(err);
    };
    connection.on('error', (err) => fail(unreachable(message.host, message.port, err)));
    connection.connect((err) => {
      if (err) return fail(unreachable(message.host, message.port, err));
      connection.send({ from: message.sender, to: message.recipients }, message.raw, (sendErr, info) => {
        if (sendErr) {
          const code = sendErr.responseCode ?? 0;
          const what = sendErr.response ?? sendErr.message;
          // A 4xx is "try again later" to the caller; a 5xx a refusal (sysexits as sendmail).
          return fail(new CliError(`sendmail: ${what}`, code >= 400 && code < 500 ? EX.TEMPFAIL : EX.NOUSER));
        }
        settled = true;
        connection.quit();
        resolve({
          rejected: info.rejected,
          errors: (info.rejectedErrors ?? []).map((e) => e.response ?? e.message),
        });
      });
    });
  });
}

/** -bs: the caller speaks SMTP on our stdin/stdout; every byte goes to the local server and back. */
export function relaySmtp(host: string, port: number, input: Readable, output: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.once('error', (err) => reject(unreachable(host, port, err)));
    socket.once('connect', () => {
      input.pipe(socket);
      socket.pipe(output, { end: false });
    });
    socket.once('close', () => {
      input.unpipe(socket);
      resolve();
    });
  });
}
