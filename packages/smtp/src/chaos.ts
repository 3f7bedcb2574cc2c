import type {
  SMTPServerDataStream,
  SMTPServerError,
  SMTPServerOptions,
  SMTPServerSession,
} from 'smtp-server';

/**
 * SMTP fault injection ("chaos", as Mailpit calls it): for each stage of a transaction a reply
 * code and a probability, so an application's retry and error handling can be tested against
 * the failures real servers give. Dev tool: the app enables it only in the dev profile.
 *
 * The engine is its own object so that the HTTP API (`/api/v1/chaos`) and @minimail/testing can
 * change the triggers of a running listener; the listener asks `failure(stage)` before each step.
 */
export const CHAOS_STAGES = ['mail', 'rcpt', 'data', 'auth'] as const;
export type ChaosStage = (typeof CHAOS_STAGES)[number];

export interface ChaosTrigger {
  /** The reply code to answer with: 4xx (temporary) or 5xx (permanent), RFC 5321 4.2.1. */
  code: number;
  /** Percent of the stage's commands that fail, 0-100. */
  probability: number;
}

export type ChaosTriggers = Record<ChaosStage, ChaosTrigger>;

export interface ChaosOptions {
  triggers?: Partial<ChaosTriggers>;
  /** A number in [0, 1); tests pass a fixed sequence. */
  random?: () => number;
}

const OFF: ChaosTrigger = { code: 451, probability: 0 };

/** What each stage's failure says (after the enhanced code); the client sees the code first. */
const STAGE_TEXT: Record<ChaosStage, string> = {
  mail: 'sender refused',
  rcpt: 'recipient refused',
  data: 'message refused',
  auth: 'authentication refused',
};

export class Chaos {
  private triggers: ChaosTriggers;
  private readonly random: () => number;

  constructor(options: ChaosOptions = {}) {
    this.random = options.random ?? Math.random;
    this.triggers = Chaos.complete(options.triggers ?? {});
  }

  get(): ChaosTriggers {
    return structuredClone(this.triggers);
  }

  /** Replaces every trigger: a stage left out is turned off (as Mailpit's PUT /api/v1/chaos does). */
  set(triggers: Partial<ChaosTriggers>): ChaosTriggers {
    this.triggers = Chaos.complete(triggers);
    return this.get();
  }

  /** The reply to fail this stage with, or null to go on normally. */
  failure(stage: ChaosStage): SMTPServerError | null {
    const trigger = this.triggers[stage];
    if (trigger.probability <= 0 || this.random() * 100 >= trigger.probability) return null;
    // RFC 3463: x.7.0 "other or undefined security/policy status" fits an injected refusal.
    const error: SMTPServerError = new Error(
      `${Math.floor(trigger.code / 100)}.7.0 Chaos: simulated ${STAGE_TEXT[stage]}`,
    );
    error.responseCode = trigger.code;
    return error;
  }

  private static complete(triggers: Partial<ChaosTriggers>): ChaosTriggers {
    const out = {} as ChaosTriggers;
    for (const stage of CHAOS_STAGES) {
      const trigger = triggers[stage] ?? OFF;
      checkTrigger(stage, trigger);
      out[stage] = { code: trigger.code, probability: trigger.probability };
    }
    return out;
  }
}

function checkTrigger(stage: ChaosStage, trigger: ChaosTrigger): void {
  if (!Number.isInteger(trigger.code) || trigger.code < 400 || trigger.code > 599) {
    throw new RangeError(`chaos ${stage}: the code must be a 4xx or 5xx reply code, not ${trigger.code}`);
  }
  if (!Number.isFinite(trigger.probability) || trigger.probability < 0 || trigger.probability > 100) {
    throw new RangeError(
      `chaos ${stage}: the probability must be 0-100 (percent), not ${trigger.probability}`,
    );
  }
}

/**
 * Parses the env/config form `mail=451:50,rcpt=550:10,data=452:100,auth=535:100`
 * (stage=code:percent, any subset, comma-separated).
 */
export function parseChaosSpec(spec: string): Partial<ChaosTriggers> {
  const triggers: Partial<ChaosTriggers> = {};
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const match = /^(mail|rcpt|data|auth)=(\d{3}):(\d{1,3}(?:\.\d+)?)$/i.exec(part);
    if (match === null) throw new RangeError(`chaos: "${part}" is not stage=code:percent (e.g. rcpt=451:50)`);
    const stage = match[1]!.toLowerCase() as ChaosStage;
    const trigger = { code: Number(match[2]), probability: Number(match[3]) };
    checkTrigger(stage, trigger);
    triggers[stage] = trigger;
  }
  return triggers;
}

type Callback = (err?: SMTPServerError | null) => void;
type Hook = (a: never, s: never, callback: Callback) => void;

/**
 * Wraps a listener's smtp-server hooks so each stage first asks the chaos engine. DATA reads the
 * message to its end before failing (smtp-server expects the stream consumed).
 */
export function withChaos(chaos: Chaos, options: SMTPServerOptions): SMTPServerOptions {
  const hooks = options as unknown as Record<'onMailFrom' | 'onRcptTo' | 'onAuth', Hook | undefined>;
  const gate =
    (stage: ChaosStage, hook: Hook | undefined): Hook =>
    (a, s, callback) => {
      const failure = chaos.failure(stage);
      if (failure !== null) callback(failure);
      else hook?.(a, s, callback);
    };
  const wrapped: Record<string, unknown> = { ...options };
  if (hooks.onMailFrom) wrapped['onMailFrom'] = gate('mail', hooks.onMailFrom);
  if (hooks.onRcptTo) wrapped['onRcptTo'] = gate('rcpt', hooks.onRcptTo);
  if (hooks.onAuth) wrapped['onAuth'] = gate('auth', hooks.onAuth);
  const onData = options.onData;
  if (onData) {
    wrapped['onData'] = (stream: SMTPServerDataStream, session: SMTPServerSession, callback: Callback) => {
      const failure = chaos.failure('data');
      if (failure === null) return onData(stream, session, callback);
      stream.on('end', () => callback(failure));
      stream.resume();
    };
  }
  return wrapped as SMTPServerOptions;
}
