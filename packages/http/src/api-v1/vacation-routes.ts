import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MailStore } from '@minimail/store';
import {
  applyVacation,
  readVacation,
  VACATION_MAX_DAYS,
  VACATION_MIN_DAYS,
  VacationSettingsError,
  type VacationSettings,
} from '@minimail/sieve';
import { ERROR_RESPONSES } from './schemas.js';

/** A vacation reply as the API shows it (minimail's PascalCase, like the other /api/v1 shapes). */
interface VacationBody {
  Enabled: boolean;
  Subject: string;
  Message: string;
  Days: number;
  From: string;
  Addresses: string[];
}

export const VACATION_SCHEMA = {
  $id: 'Vacation',
  type: 'object',
  description:
    'A vacation reply (RFC 5230), kept as the Sieve script "vacation": the same script `minimail vacation` writes and ManageSieve shows. Empty Subject: "Auto: " + the original subject; empty From: the address itself.',
  required: ['Enabled', 'Subject', 'Message', 'Days', 'From', 'Addresses'],
  additionalProperties: false,
  properties: {
    Enabled: { type: 'boolean', description: 'Whether the vacation script is the active script' },
    Subject: { type: 'string', maxLength: 998 },
    Message: { type: 'string', maxLength: 65_536 },
    Days: {
      type: 'integer',
      minimum: VACATION_MIN_DAYS,
      maximum: VACATION_MAX_DAYS,
      description: 'Answer one sender at most once per this many days',
    },
    From: { type: 'string', maxLength: 254 },
    Addresses: {
      type: 'array',
      maxItems: 20,
      items: { type: 'string', maxLength: 254 },
      description: "The user's other addresses: mail to these is answered too",
    },
  },
} as const;

const ADDRESS_PARAM = {
  type: 'object',
  required: ['address'],
  properties: { address: { type: 'string', minLength: 3, maxLength: 254 } },
} as const;

function toBody(settings: VacationSettings): VacationBody {
  return {
    Enabled: settings.enabled,
    Subject: settings.subject ?? '',
    Message: settings.message,
    Days: settings.days,
    From: settings.from ?? '',
    Addresses: settings.addresses,
  };
}

/**
 * minimail: a mailbox's vacation reply, read and set as a form would (issue 19), behind the same
 * access as the rest of the catcher API (basic auth when MINIMAIL_HTTP_AUTH_FILE is set). The
 * settings become the Sieve script `vacation` through @minimail/sieve's `applyVacation`, the code
 * `minimail vacation` uses, so the CLI, ManageSieve and this route see one script.
 */
export function registerVacationRoutes(app: FastifyInstance, store: MailStore): void {
  const userOf = async (address: string, reply: FastifyReply, create: boolean) => {
    const name = address.trim().toLowerCase();
    // Dev profile: an address gets its account on first use (as a first delivery or login would).
    const user = create ? await store.ensureUser(name) : await store.getUser(name);
    if (user === null) await reply.code(404).send({ error: `no mailbox ${name}` });
    return user;
  };

  app.get<{ Params: { address: string } }>(
    '/api/v1/mailboxes/:address/vacation',
    {
      schema: {
        summary: "minimail: a mailbox's vacation reply",
        tags: ['minimail'],
        params: ADDRESS_PARAM,
        response: { 200: { $ref: 'Vacation#' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const user = await userOf(request.params.address, reply, false);
      if (user === null) return reply;
      return toBody(await readVacation(store, user.id));
    },
  );

  app.put<{ Params: { address: string }; Body: VacationBody }>(
    '/api/v1/mailboxes/:address/vacation',
    {
      schema: {
        summary: "minimail: set a mailbox's vacation reply (on: the vacation script becomes the active one)",
        tags: ['minimail'],
        params: ADDRESS_PARAM,
        body: { $ref: 'Vacation#' },
        response: { 200: { $ref: 'Vacation#' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const user = await userOf(request.params.address, reply, true);
      if (user === null) return reply;
      const blank = (text: string): string | null => (text.trim() === '' ? null : text.trim());
      try {
        await applyVacation(store, user.id, {
          enabled: body.Enabled,
          subject: blank(body.Subject),
          message: body.Message,
          days: body.Days,
          from: blank(body.From),
          addresses: body.Addresses.map((a) => a.trim()).filter((a) => a !== ''),
        });
      } catch (error) {
        if (error instanceof VacationSettingsError) return reply.code(400).send({ error: error.message });
        throw error;
      }
      return toBody(await readVacation(store, user.id));
    },
  );
}
