/**
 * The autoconfiguration endpoints and ACME HTTP-01 on the Fastify service (docs/adr/0021): the
 * framework-free answers (answer.ts, @minimail/protocol's answerAcmeHttp01) mounted as routes.
 * They are answered in every profile and for any Host (clients ask under autoconfig.<domain> and
 * autodiscover.<domain>, the CA's validator under the domain it validates), and basic auth does
 * not cover them: server.ts asks `isPublicPath` before its Host check and basic auth.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACME_HTTP01_PREFIX, answerAcmeHttp01, type AcmeChallengeResponder } from '@minimail/protocol';
import type { MailStore } from '@minimail/store';
import type { Profile } from '@minimail/protocol';
import { AUTOCONFIG_PATHS, MAX_AUTODISCOVER_BODY, answerAutoconfig, isAutoconfigPath } from './answer.js';
import type { ClientSettings } from './client-settings.js';

/** Paths answered for any Host and without basic auth. */
export function isPublicAutoconfigPath(pathname: string): boolean {
  return isAutoconfigPath(pathname) || pathname.startsWith(ACME_HTTP01_PREFIX);
}

/** Outlook asks with either capitalisation. */
const AUTODISCOVER_PATHS = [AUTOCONFIG_PATHS.autodiscover, '/Autodiscover/Autodiscover.xml'];

export interface AutoconfigRouteOptions {
  store: MailStore;
  profile: Profile;
  clientSettings?: ClientSettings | undefined;
  acmeChallenges?: AcmeChallengeResponder | undefined;
}

export async function registerAutoconfig(
  app: FastifyInstance,
  options: AutoconfigRouteOptions,
): Promise<void> {
  const { acmeChallenges, clientSettings: settings } = options;
  if (acmeChallenges !== undefined) {
    // RFC 8555 8.3: the key authorization as application/octet-stream; an unknown token is 404.
    app.get(`${ACME_HTTP01_PREFIX}:token`, async (request, reply) => {
      const answer = answerAcmeHttp01(acmeChallenges, pathOf(request));
      return reply
        .code(answer?.status ?? 404)
        .type(answer?.contentType ?? 'text/plain; charset=utf-8')
        .send(answer?.body ?? 'not found\n');
    });
  }
  if (settings === undefined) return;
  // dev accepts mail for any domain, so it configures clients for any; production for its own.
  const servesDomain = async (domain: string): Promise<boolean> =>
    options.profile === 'dev' || (await options.store.isLocalDomain(domain));
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const url = new URL(request.url, 'http://localhost');
    const answer = await answerAutoconfig(
      settings,
      {
        method: request.method,
        pathname: url.pathname,
        query: url.searchParams,
        host: request.headers.host,
        readBody: async () => (typeof request.body === 'string' ? request.body : ''),
      },
      servesDomain,
    );
    if (answer === null) return reply.code(404).send({ error: 'not found' });
    reply.code(answer.status).type(answer.contentType);
    for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
    return reply.send(answer.body);
  };
  await app.register(async (scope) => {
    // Outlook POSTs its request as text/xml; any body is read as text, at most MAX_AUTODISCOVER_BODY
    // octets (past it Fastify answers 413 before the handler runs).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: MAX_AUTODISCOVER_BODY },
      (_request, body, done) => done(null, body),
    );
    for (const path of [...AUTOCONFIG_PATHS.thunderbird, AUTOCONFIG_PATHS.apple, ...AUTODISCOVER_PATHS])
      scope.all(path, handler);
  });
}

function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? '/';
}
