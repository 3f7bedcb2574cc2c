/**
 * Issue 18 on the Fastify service: Thunderbird autoconfig, Outlook autodiscover, the Apple profile
 * and ACME HTTP-01 answered by the real server in production, for any Host and past basic auth,
 * while the rest of the service keeps its Host check and its auth.
 */
import { request as httpRequest } from 'node:http';
import { AcmeChallengeResponder } from '@minimail/protocol';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttp, type Setup } from '../test-support/setup.js';
import type { ClientSettings } from './client-settings.js';
import { MAX_AUTODISCOVER_BODY } from './answer.js';

const SETTINGS: ClientSettings = {
  hostname: 'mail.example.org',
  imap: { port: 993, socket: 'SSL' },
  pop3: null,
  submission: { port: 587, socket: 'STARTTLS' },
};

let setup: Setup | null = null;
afterEach(async () => {
  await setup?.close();
  setup = null;
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw node:http request: fetch may not set Host, and clients ask under autoconfig.<domain>. */
function send(
  port: number,
  options: { method?: string; path: string; host: string; body?: string; headers?: Record<string, string> },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { host: options.host, ...(options.headers ?? {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function start(extra: Parameters<typeof startHttp>[1] = {}): Promise<Setup> {
  setup = await startHttp('production', {
    clientSettings: SETTINGS,
    allowedHosts: ['mail.example.org'],
    ...extra,
  });
  await setup.store.addDomain('example.org');
  return setup;
}

describe('autoconfiguration on the HTTP service', () => {
  it('answers Thunderbird under autoconfig.<domain>, where other paths are refused for the Host', async () => {
    const { port } = await start();
    const answer = await send(port, { path: '/mail/config-v1.1.xml', host: 'autoconfig.example.org' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/xml; charset=utf-8');
    const xml = new XMLParser({ ignoreAttributes: false }).parse(answer.body) as {
      clientConfig: { emailProvider: { '@_id': string; incomingServer: { hostname: string; port: number } } };
    };
    expect(xml.clientConfig.emailProvider['@_id']).toBe('example.org');
    expect(xml.clientConfig.emailProvider.incomingServer).toMatchObject({
      hostname: 'mail.example.org',
      port: 993,
    });
    // The .well-known form on the domain itself, by address.
    const wellKnown = await send(port, {
      path: '/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40example.org',
      host: 'example.org',
    });
    expect(wellKnown.status).toBe(200);
    // A domain that is not ours is not configured; another path under that Host is refused.
    expect((await send(port, { path: '/mail/config-v1.1.xml', host: 'autoconfig.other.test' })).status).toBe(
      404,
    );
    expect((await send(port, { path: '/api/v1/messages', host: 'autoconfig.example.org' })).status).toBe(403);
    expect(
      (await send(port, { method: 'POST', path: '/mail/config-v1.1.xml', host: 'autoconfig.example.org' }))
        .status,
    ).toBe(405);
  });

  it('answers Outlook autodiscover POSTs in either capitalisation, and refuses a body over the limit', async () => {
    const { port } = await start();
    const request = `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request><EMailAddress>alice@example.org</EMailAddress>
  <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request></Autodiscover>`;
    for (const path of ['/autodiscover/autodiscover.xml', '/Autodiscover/Autodiscover.xml']) {
      const answer = await send(port, {
        method: 'POST',
        path,
        host: 'autodiscover.example.org',
        body: request,
        headers: { 'content-type': 'text/xml' },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('<LoginName>alice@example.org</LoginName>');
      expect(answer.body).toContain('<Server>mail.example.org</Server>');
    }
    const huge = await send(port, {
      method: 'POST',
      path: '/autodiscover/autodiscover.xml',
      host: 'autodiscover.example.org',
      body: 'x'.repeat(MAX_AUTODISCOVER_BODY + 1),
      headers: { 'content-type': 'text/xml' },
    });
    expect(huge.status).toBe(413);
  });

  it('sends the Apple profile as a download, past basic auth', async () => {
    const { port } = await start({ basicAuth: { users: new Map([['admin', 'secret-password']]) } });
    const answer = await send(port, {
      path: '/mail/apple.mobileconfig?emailaddress=alice%40example.org',
      host: 'example.org',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/x-apple-aspen-config');
    expect(answer.headers['content-disposition']).toBe('attachment; filename="example.org.mobileconfig"');
    expect(answer.body).toContain('<string>com.apple.mail.managed</string>');
    // Basic auth still covers the rest.
    expect((await send(port, { path: '/api/v1/messages', host: 'mail.example.org' })).status).toBe(401);
  });

  it('answers ACME HTTP-01 for any Host (RFC 8555 8.3), and 404 for an unknown token', async () => {
    const responder = new AcmeChallengeResponder();
    const token = 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA';
    responder.setHttp01(token, `${token}.thumbprint`);
    const { port } = await start({ acmeChallenges: responder });
    const answer = await send(port, {
      path: `/.well-known/acme-challenge/${token}`,
      host: 'mail.example.org',
    });
    expect([answer.status, answer.headers['content-type'], answer.body]).toEqual([
      200,
      'application/octet-stream',
      `${token}.thumbprint`,
    ]);
    const other = await send(port, { path: `/.well-known/acme-challenge/${token}`, host: 'example.org' });
    expect(other.status).toBe(200);
    responder.deleteHttp01(token);
    expect(
      (await send(port, { path: `/.well-known/acme-challenge/${token}`, host: 'example.org' })).status,
    ).toBe(404);
  });
});
