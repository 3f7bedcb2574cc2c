/**
 * The autoconfiguration documents, parsed back by a real XML parser and checked element by element
 * against their documented formats: Thunderbird's clientConfig 1.1
 * (wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat), Outlook's POX responseschema
 * 2006a ([MS-OXDSCLI]), Apple's plist Mail payload (Configuration Profile Reference).
 */
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { answerAutoconfig, MAX_AUTODISCOVER_BODY, type AutoconfigRequest } from './answer.js';
import { autodiscoverRequestAddress } from './autodiscover.js';
import { parseAddress, pickEndpoint, type ClientSettings } from './client-settings.js';
import { appleMobileconfig } from './mobileconfig.js';
import { thunderbirdConfigXml } from './thunderbird.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  isArray: (name) => ['incomingServer', 'Protocol'].includes(name),
});

const SETTINGS: ClientSettings = {
  hostname: 'mail.example.org',
  imap: pickEndpoint(993, 143),
  pop3: pickEndpoint(0, 110),
  submission: pickEndpoint(465, 587),
};

describe('client settings', () => {
  it('prefers implicit TLS (RFC 8314 3.3), falls back to STARTTLS, and leaves out what is off', () => {
    expect([pickEndpoint(993, 143), pickEndpoint(0, 587), pickEndpoint(0, 0)]).toEqual([
      { port: 993, socket: 'SSL' },
      { port: 587, socket: 'STARTTLS' },
      null,
    ]);
  });
  it.each([
    ['Alice@Example.ORG', 'Alice@example.org'],
    ['a<b>@example.org', null],
    ['nodomain', null],
    [`${'a'.repeat(250)}@example.org`, null],
    ['a@localhost', null],
  ])('parses %s', (text, address) => {
    expect(parseAddress(text)?.address ?? null).toBe(address);
  });
});

describe('Thunderbird clientConfig 1.1', () => {
  const doc = parser.parse(thunderbirdConfigXml(SETTINGS, 'example.org'));
  const provider = doc.clientConfig.emailProvider;

  it('has the documented root, provider and domain', () => {
    expect(doc.clientConfig['@version']).toBe('1.1');
    expect(provider['@id']).toBe('example.org');
    expect(provider.domain).toBe('example.org');
    expect(provider.displayName).toBe('example.org mail');
    expect(provider.displayShortName).toBe('example.org');
  });
  it('lists incoming servers IMAP first, then POP3, and the submission server, from the settings', () => {
    const servers = [...provider.incomingServer, provider.outgoingServer];
    expect(servers).toEqual([
      {
        '@type': 'imap',
        hostname: 'mail.example.org',
        port: '993',
        socketType: 'SSL',
        authentication: 'password-cleartext',
        username: '%EMAILADDRESS%',
      },
      {
        '@type': 'pop3',
        hostname: 'mail.example.org',
        port: '110',
        socketType: 'STARTTLS',
        authentication: 'password-cleartext',
        username: '%EMAILADDRESS%',
      },
      {
        '@type': 'smtp',
        hostname: 'mail.example.org',
        port: '465',
        socketType: 'SSL',
        authentication: 'password-cleartext',
        username: '%EMAILADDRESS%',
      },
    ]);
    // The documented value sets.
    for (const server of servers) {
      expect(['plain', 'SSL', 'STARTTLS']).toContain(server.socketType);
      expect([
        'password-cleartext',
        'password-encrypted',
        'NTLM',
        'GSSAPI',
        'client-IP-address',
        'TLS-client-cert',
        'OAuth2',
        'none',
      ]).toContain(server.authentication);
      expect(Number(server.port)).toBeGreaterThan(0);
    }
  });
  it('escapes markup in names', () => {
    expect(thunderbirdConfigXml({ ...SETTINGS, hostname: 'a&b' }, 'example.org')).toContain(
      '<hostname>a&amp;b</hostname>',
    );
  });
});

describe('Outlook POX autodiscover', () => {
  it('reads the request address and answers with one Protocol per service', () => {
    const body = `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>bob@example.org</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`;
    expect(autodiscoverRequestAddress(body)).toBe('bob@example.org');
    expect(autodiscoverRequestAddress('<EMailAddress>not-an-address</EMailAddress>')).toBeNull();
  });
  it('answers in responseschema 2006a', async () => {
    const answer = await answerAutoconfig(
      SETTINGS,
      request(
        'POST',
        '/Autodiscover/Autodiscover.xml',
        '',
        '<Request><EMailAddress>bob@example.org</EMailAddress></Request>',
      ),
      async () => true,
    );
    expect(answer?.status).toBe(200);
    const doc = parser.parse(answer!.body);
    expect(doc.Autodiscover['@xmlns']).toBe(
      'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006',
    );
    const response = doc.Autodiscover.Response;
    expect(response['@xmlns']).toBe(
      'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a',
    );
    expect([response.Account.AccountType, response.Account.Action]).toEqual(['email', 'settings']);
    expect(response.Account.Protocol).toEqual([
      {
        Type: 'IMAP',
        Server: 'mail.example.org',
        Port: '993',
        DomainRequired: 'off',
        LoginName: 'bob@example.org',
        SPA: 'off',
        SSL: 'on',
        AuthRequired: 'on',
      },
      {
        Type: 'POP3',
        Server: 'mail.example.org',
        Port: '110',
        DomainRequired: 'off',
        LoginName: 'bob@example.org',
        SPA: 'off',
        Encryption: 'TLS',
        AuthRequired: 'on',
      },
      {
        Type: 'SMTP',
        Server: 'mail.example.org',
        Port: '465',
        DomainRequired: 'off',
        LoginName: 'bob@example.org',
        SPA: 'off',
        SSL: 'on',
        AuthRequired: 'on',
      },
    ]);
  });
});

describe('Apple .mobileconfig', () => {
  it('is a plist Configuration with one com.apple.mail.managed payload, stable across downloads', () => {
    const profile = appleMobileconfig(SETTINGS, 'carol@example.org')!;
    expect(profile).toContain('<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN"');
    expect(appleMobileconfig(SETTINGS, 'carol@example.org')).toBe(profile);
    const plist = parser.parse(profile).plist.dict;
    const keys: string[] = plist.key;
    expect(keys).toEqual([
      'PayloadContent',
      'PayloadDescription',
      'PayloadDisplayName',
      'PayloadIdentifier',
      'PayloadRemovalDisallowed',
      'PayloadType',
      'PayloadUUID',
      'PayloadVersion',
    ]);
    const account = plist.array.dict;
    const pairs = Object.fromEntries(account.key.map((key: string, i: number) => [key, i]));
    expect(Object.keys(pairs)).toContain('IncomingMailServerHostName');
    expect(profile).toMatch(/<key>EmailAccountType<\/key>\n\t+<string>EmailTypeIMAP<\/string>/);
    expect(profile).toMatch(/<key>IncomingMailServerPortNumber<\/key>\n\t+<integer>993<\/integer>/);
    expect(profile).toMatch(/<key>OutgoingMailServerPortNumber<\/key>\n\t+<integer>465<\/integer>/);
    expect(profile).toMatch(/<key>PayloadType<\/key>\n\t+<string>com.apple.mail.managed<\/string>/);
    expect(profile).toMatch(
      /<key>PayloadUUID<\/key>\n\t<string>[0-9A-F]{8}-[0-9A-F]{4}-8[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}<\/string>/,
    );
    expect(profile).not.toMatch(/Password<\/key>\n\t+<string>/);
  });
  it('is not offered without an incoming server or submission', () => {
    expect(appleMobileconfig({ ...SETTINGS, submission: null }, 'c@example.org')).toBeNull();
  });
});

function request(method: string, pathname: string, query = '', body = '', host?: string): AutoconfigRequest {
  return {
    method,
    pathname,
    query: new URLSearchParams(query),
    host,
    readBody: async () => (body.length > MAX_AUTODISCOVER_BODY ? null : body),
  };
}

describe('answerAutoconfig', () => {
  const ours = async (domain: string): Promise<boolean> => domain === 'example.org';
  it.each([
    ['GET', '/.well-known/autoconfig/mail/config-v1.1.xml', 'emailaddress=a@example.org', undefined, 200],
    ['GET', '/mail/config-v1.1.xml', '', 'autoconfig.example.org', 200],
    ['GET', '/mail/config-v1.1.xml', 'emailaddress=a@elsewhere.test', undefined, 404],
    ['GET', '/mail/config-v1.1.xml', 'emailaddress=<script>', undefined, 400],
    ['POST', '/mail/config-v1.1.xml', '', 'autoconfig.example.org', 405],
    ['GET', '/mail/apple.mobileconfig', 'emailaddress=a@example.org', undefined, 200],
    ['GET', '/mail/apple.mobileconfig', '', 'example.org', 400],
    ['POST', '/autodiscover/autodiscover.xml', '', undefined, 400],
    ['GET', '/mail/config-v1.1.xml', '', '127.0.0.1:8025', 404],
  ] as const)('%s %s?%s (Host %s) -> %i', async (method, path, query, host, status) => {
    expect((await answerAutoconfig(SETTINGS, request(method, path, query, '', host), ours))?.status).toBe(
      status,
    );
  });
  it('refuses an autodiscover body over the limit with 413', async () => {
    const huge = `<EMailAddress>a@example.org</EMailAddress>${' '.repeat(MAX_AUTODISCOVER_BODY)}`;
    expect(
      (await answerAutoconfig(SETTINGS, request('POST', '/autodiscover/autodiscover.xml', '', huge), ours))
        ?.status,
    ).toBe(413);
  });
  it('leaves other paths alone', async () => {
    expect(await answerAutoconfig(SETTINGS, request('GET', '/healthz'), ours)).toBeNull();
  });
  it('sends the .mobileconfig as a download', async () => {
    const answer = await answerAutoconfig(
      SETTINGS,
      request('GET', '/mail/apple.mobileconfig', 'emailaddress=a@example.org'),
      ours,
    );
    expect([answer?.contentType, answer?.headers]).toEqual([
      'application/x-apple-aspen-config',
      { 'content-disposition': 'attachment; filename="example.org.mobileconfig"' },
    ]);
  });
});
