import { createHash, timingSafeEqual } from 'node:crypto';
import fastifyBasicAuth from '@fastify/basic-auth';
import type { FastifyInstance } from 'fastify';
import { verifyPasswordHash } from '@minimail/store';

/** How long a checked Authorization header is remembered (scrypt per request would cost ~50 ms each). */
export const AUTH_CACHE_MS = 5 * 60_000;
/** Most remembered headers. */
const AUTH_CACHE_ENTRIES = 1_000;

export interface BasicAuthOptions {
  /**
   * User name -> password: a hash from `minimail`'s own scheme (`scrypt$...`, as `hashPassword`
   * makes) or, for a throwaway dev setup, the password itself. The app reads them from the
   * password file (MINIMAIL_HTTP_AUTH_FILE, `user:password` lines).
   */
  users: ReadonlyMap<string, string>;
  realm?: string;
}

/**
 * HTTP basic auth (RFC 7617) for the web app and the API, as Mailpit's --ui-auth-file. /healthz
 * and /metrics stay as they are (probes and scrapers have their own rules, see operations.ts).
 */
export async function registerBasicAuth(app: FastifyInstance, options: BasicAuthOptions): Promise<void> {
  const remembered = new Map<string, number>();
  await app.register(fastifyBasicAuth, {
    authenticate: { realm: options.realm ?? 'minimail' },
    validate: async (user, password) => {
      const key = createHash('sha256').update(`${user}\0${password}`).digest('hex');
      const until = remembered.get(key);
      if (until !== undefined && until > Date.now()) return;
      const stored = options.users.get(user);
      const ok = stored !== undefined && (await matches(password, stored));
      if (!ok) throw new Error('wrong user name or password');
      if (remembered.size >= AUTH_CACHE_ENTRIES) remembered.clear();
      remembered.set(key, Date.now() + AUTH_CACHE_MS);
    },
  });
  app.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?')[0];
    if (path === '/healthz' || path === '/metrics') return done();
    (app.basicAuth as (req: typeof request, rep: typeof reply, next: (err?: Error) => void) => void)(
      request,
      reply,
      done,
    );
  });
}

async function matches(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith('scrypt$')) return verifyPasswordHash(password, stored);
  const a = createHash('sha256').update(password).digest();
  const b = createHash('sha256').update(stored).digest();
  return timingSafeEqual(a, b);
}

/** Parses a password file: `user:password-or-hash` per line; blank lines and `#` comments skipped. */
export function parsePasswordFile(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0 || colon === line.length - 1) {
      throw new Error(`password file line ${index + 1}: expected user:password`);
    }
    users.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return users;
}
