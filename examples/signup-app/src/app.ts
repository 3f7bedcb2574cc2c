/**
 * A tiny sign-up web app, the kind of application whose tests @minimail/testing is for: a form
 * takes an address, the app mails a confirmation link and a one-time code through SMTP, and the
 * link (or the code) confirms the account. It knows nothing of minimail: only an SMTP host and port.
 */
import { randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';

export interface SignupAppOptions {
  smtp: { host: string; port: number };
  /** Address the app listens on; default 127.0.0.1, port 0. */
  host?: string;
}

export interface SignupApp {
  url: string;
  close(): Promise<void>;
}

interface Pending {
  email: string;
  code: string;
  confirmed: boolean;
}

const page = (title: string, body: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Longest form body the app reads: an e-mail address and a code fit easily. */
const MAX_FORM_BYTES = 4096;

async function readForm(request: http.IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > MAX_FORM_BYTES) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

export async function startSignupApp(options: SignupAppOptions): Promise<SignupApp> {
  const transport = nodemailer.createTransport({
    host: options.smtp.host,
    port: options.smtp.port,
    secure: false,
    ignoreTLS: true,
  });
  const byToken = new Map<string, Pending>();
  let base = '';

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', base);
    const send = (status: number, html: string): void => {
      response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      response.end(html);
    };
    const handle = async (): Promise<void> => {
      if (request.method === 'GET' && url.pathname === '/') {
        return send(
          200,
          page(
            'Sign up',
            `<h1>Sign up</h1><form method="post" action="/signup">
<label>E-mail <input name="email" type="email" required></label>
<button type="submit">Sign up</button></form>`,
          ),
        );
      }
      if (request.method === 'POST' && url.pathname === '/signup') {
        const email = (await readForm(request)).get('email')?.trim() ?? '';
        if (!/^[^@\s]+@[^@\s]+$/.test(email)) return send(400, page('Sign up', '<p>That is no address.</p>'));
        const token = randomBytes(16).toString('hex');
        const code = String(randomInt(100_000, 1_000_000));
        byToken.set(token, { email, code, confirmed: false });
        const link = `${base}/confirm?token=${token}`;
        await transport.sendMail({
          from: 'Signup App <no-reply@signup-app.test>',
          to: email,
          subject: 'Confirm your sign-up',
          text: `Welcome! Confirm your address: ${link}\n\nOr enter this code: ${code}\n`,
          html: `<p>Welcome! <a href="${link}">Confirm your address</a>.</p><p>Or enter this code: <b>${code}</b></p>`,
        });
        return send(
          200,
          page(
            'Check your inbox',
            `<p id="sent">Check your inbox: we sent a link to ${escapeHtml(email)}.</p>`,
          ),
        );
      }
      if (request.method === 'GET' && url.pathname === '/confirm') {
        const pending = byToken.get(url.searchParams.get('token') ?? '');
        if (pending === undefined) return send(400, page('Unknown link', '<p>This link is not valid.</p>'));
        pending.confirmed = true;
        return send(200, page('Confirmed', `<h1 id="welcome">Welcome, ${escapeHtml(pending.email)}!</h1>`));
      }
      send(404, page('Not found', '<p>Not found.</p>'));
    };
    handle().catch((error: unknown) => send(500, page('Error', escapeHtml(String(error)))));
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  base = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close: async () => {
      transport.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
