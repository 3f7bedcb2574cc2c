import type { FastifyInstance } from 'fastify';
import { ERROR_RESPONSES } from './schemas.js';

type Stage = 'mail' | 'rcpt' | 'data' | 'auth';
type Triggers = Record<Stage, { code: number; probability: number }>;

/**
 * The SMTP chaos engine as the HTTP API sees it: @minimail/smtp's `Chaos` fits (the app passes
 * the instance its SMTP listeners use; http never imports smtp).
 */
export interface ChaosControl {
  get(): Triggers;
  set(triggers: Partial<Triggers>): Triggers;
}

/** Mailpit's names for the stages, plus `Data` (minimail: Mailpit has no DATA trigger). */
const NAMES: Record<Stage, string> = {
  mail: 'Sender',
  rcpt: 'Recipient',
  auth: 'Authentication',
  data: 'Data',
};

const trigger = {
  type: 'object',
  properties: {
    ErrorCode: { type: 'integer', minimum: 400, maximum: 599 },
    Probability: { type: 'number', minimum: 0, maximum: 100 },
  },
  required: ['ErrorCode', 'Probability'],
} as const;

export const CHAOS_SCHEMA = {
  $id: 'ChaosTriggers',
  type: 'object',
  properties: { Sender: trigger, Recipient: trigger, Authentication: trigger, Data: trigger },
  additionalProperties: false,
} as const;

type ApiTriggers = Partial<Record<string, { ErrorCode: number; Probability: number }>>;

function toApi(triggers: Triggers): ApiTriggers {
  const out: ApiTriggers = {};
  for (const [stage, name] of Object.entries(NAMES) as Array<[Stage, string]>) {
    out[name] = { ErrorCode: triggers[stage].code, Probability: triggers[stage].probability };
  }
  return out;
}

/** GET/PUT /api/v1/chaos: read or replace the SMTP fault triggers (Mailpit's shape). */
export function registerChaos(app: FastifyInstance, chaos: ChaosControl | undefined): void {
  const disabled = { error: 'chaos is not enabled (it needs the smtp service in this process, dev profile)' };
  app.get(
    '/api/v1/chaos',
    {
      schema: {
        summary: 'The SMTP chaos triggers',
        tags: ['testing'],
        response: { 200: { $ref: 'ChaosTriggers#' }, ...ERROR_RESPONSES },
      },
    },
    async (_request, reply) => (chaos === undefined ? reply.code(400).send(disabled) : toApi(chaos.get())),
  );
  app.put<{ Body: ApiTriggers | null }>(
    '/api/v1/chaos',
    {
      schema: {
        summary: 'Replace the SMTP chaos triggers; a stage left out is turned off',
        tags: ['testing'],
        body: { anyOf: [{ $ref: 'ChaosTriggers#' }, { type: 'null' }] },
        response: { 200: { $ref: 'ChaosTriggers#' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      if (chaos === undefined) return reply.code(400).send(disabled);
      const next: Partial<Triggers> = {};
      for (const [stage, name] of Object.entries(NAMES) as Array<[Stage, string]>) {
        const given = request.body?.[name];
        if (given !== undefined) next[stage] = { code: given.ErrorCode, probability: given.Probability };
      }
      return toApi(chaos.set(next));
    },
  );
}
