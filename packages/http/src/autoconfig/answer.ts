/**
 * The autoconfiguration endpoints as one framework-free function: a request (method, path, query,
 * Host, body) in, a response out, or null when the path is none of them. The HTTP service mounts it
 * in front of its routes and before its Host check (clients ask under autoconfig.<domain> and
 * autodiscover.<domain>, names the service does not otherwise answer to).
 */
import { appleMobileconfig } from './mobileconfig.js';
import { autodiscoverRequestAddress, autodiscoverResponseXml } from './autodiscover.js';
import { parseAddress, type ClientSettings } from './client-settings.js';
import { thunderbirdConfigXml } from './thunderbird.js';

export const AUTOCONFIG_PATHS = {
  /** Thunderbird: the .well-known form on the domain, the plain form on autoconfig.<domain>. */
  thunderbird: ['/.well-known/autoconfig/mail/config-v1.1.xml', '/mail/config-v1.1.xml'],
  /** Outlook asks with either capitalisation. */
  autodiscover: '/autodiscover/autodiscover.xml',
  apple: '/mail/apple.mobileconfig',
} as const;

/** Largest autodiscover request body read (a real one is ~300 bytes). */
export const MAX_AUTODISCOVER_BODY = 16 * 1024;

export interface AutoconfigRequest {
  method: string;
  pathname: string;
  query: URLSearchParams;
  host: string | undefined;
  /** Only read for POST to the autodiscover path; at most MAX_AUTODISCOVER_BODY bytes. */
  readBody: () => Promise<string | null>;
}

export interface AutoconfigResponse {
  status: 200 | 400 | 404 | 405 | 413;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

const TEXT = 'text/plain; charset=utf-8';
const notFound: AutoconfigResponse = { status: 404, contentType: TEXT, body: 'not found\n' };

export function isAutoconfigPath(pathname: string): boolean {
  return (
    (AUTOCONFIG_PATHS.thunderbird as readonly string[]).includes(pathname) ||
    pathname.toLowerCase() === AUTOCONFIG_PATHS.autodiscover ||
    pathname === AUTOCONFIG_PATHS.apple
  );
}

/** `autoconfig.example.org:443` -> `example.org`. */
function domainOfHost(host: string | undefined): string | null {
  if (!host) return null;
  const name = host.replace(/:\d+$/, '').toLowerCase();
  const domain = name.replace(/^(autoconfig|autodiscover)\./, '');
  // An IP literal is no mail domain (a client asking by address has nothing to configure).
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain) && !/^[\d.]+$/.test(domain) ? domain : null;
}

export async function answerAutoconfig(
  settings: ClientSettings,
  request: AutoconfigRequest,
  /** Whether mail for this domain is ours (production: a configured domain; dev: any). */
  servesDomain: (domain: string) => Promise<boolean>,
): Promise<AutoconfigResponse | null> {
  const { pathname, method } = request;
  if (!isAutoconfigPath(pathname)) return null;

  if (pathname.toLowerCase() === AUTOCONFIG_PATHS.autodiscover) {
    if (method !== 'POST' && method !== 'GET')
      return {
        status: 405,
        contentType: TEXT,
        body: 'method not allowed\n',
        headers: { allow: 'GET, POST' },
      };
    const body = method === 'POST' ? await request.readBody() : '';
    if (body === null) return { status: 413, contentType: TEXT, body: 'request too large\n' };
    const address =
      autodiscoverRequestAddress(body) ?? parseAddress(request.query.get('emailaddress'))?.address;
    if (!address) return { status: 400, contentType: TEXT, body: 'no EMailAddress in the request\n' };
    if (!(await servesDomain(address.slice(address.lastIndexOf('@') + 1)))) return notFound;
    return {
      status: 200,
      contentType: 'application/xml; charset=utf-8',
      body: autodiscoverResponseXml(settings, address),
    };
  }

  if (method !== 'GET' && method !== 'HEAD')
    return { status: 405, contentType: TEXT, body: 'method not allowed\n', headers: { allow: 'GET' } };
  const given = request.query.get('emailaddress');
  const parsed = parseAddress(given);
  if (given !== null && !parsed)
    return { status: 400, contentType: TEXT, body: 'emailaddress is not an address\n' };

  if (pathname === AUTOCONFIG_PATHS.apple) {
    if (!parsed) return { status: 400, contentType: TEXT, body: 'emailaddress is required\n' };
    if (!(await servesDomain(parsed.domain))) return notFound;
    const profile = appleMobileconfig(settings, parsed.address);
    if (!profile) return notFound;
    return {
      status: 200,
      contentType: 'application/x-apple-aspen-config',
      body: profile,
      headers: { 'content-disposition': `attachment; filename="${parsed.domain}.mobileconfig"` },
    };
  }

  const domain = parsed?.domain ?? domainOfHost(request.host);
  if (!domain || !(await servesDomain(domain))) return notFound;
  return {
    status: 200,
    contentType: 'application/xml; charset=utf-8',
    body: thunderbirdConfigXml(settings, domain),
  };
}
