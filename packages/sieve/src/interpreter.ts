/**
 * Runs a checked program against one message for one recipient and returns the actions (RFC 5228
 * 2.10). Bounded by the limits (steps, wall clock, actions, redirects, includes, variables); any
 * runtime error is thrown, and runSieveSafely turns it into the implicit keep (RFC 5228 2.10.6).
 */
import { addressPart, envelopeAddress, parseAddressList } from './address.js';
import type { SieveAction } from './actions.js';
import { Budget } from './budget.js';
import { compileScript } from './compile.js';
import { datePart, parseRfc5322Date, parseZone, type ZonedTime } from './date.js';
import { SieveRuntimeError } from './errors.js';
import { DEFAULT_LIMITS, type SieveLimits } from './limits.js';
import { matchAny } from './match.js';
import type { SieveEnvelope, SieveMessage } from './message.js';
import type { AddressPart, Command, IndexSpec, Match, Program, Test, Zone } from './program.js';
import { vacationAction } from './vacation.js';
import { applyModifiers, expand } from './variables.js';

export interface SieveEnvironment {
  message: SieveMessage;
  envelope: SieveEnvelope;
  /** Other addresses of the user (aliases), for vacation's "was I a recipient" rule. */
  userAddresses?: readonly string[];
  /** RFC 5490 3.1 mailboxexists; absent: no mailbox exists. */
  mailboxExists?: (name: string) => boolean;
  /** RFC 6609: the source of an included script, or null when there is none. */
  loadScript?: (name: string, personal: boolean) => string | null;
  /** The current time (RFC 5260 currentdate), ms since the epoch. */
  now?: number;
  /** The server's zone in minutes east of UTC (RFC 5260 4.1 default zone). */
  localZone?: number;
  /** RFC 5233 separator between user and detail. */
  subaddressSeparator?: string;
  limits?: Partial<SieveLimits>;
  /** Clock for the wall-clock budget (ms). */
  clock?: () => number;
}

export interface SieveResult {
  actions: SieveAction[];
  /** Steps spent (the CPU budget's unit). */
  steps: number;
  /** Vacation commands that did not reply, and why (RFC 5230 4.5). */
  notes: string[];
}

class Stop {}
class Return {}

class Scope {
  readonly locals = new Map<string, string>();
  readonly globalNames = new Set<string>();
  matchVariables: string[] = [];
  constructor(private readonly run: Run) {}
  get(name: string): string | undefined {
    return this.globalNames.has(name) ? this.run.globals.get(name) : this.locals.get(name);
  }
  set(name: string, value: string): void {
    const map = this.globalNames.has(name) ? this.run.globals : this.locals;
    if (!map.has(name)) this.run.countVariable();
    map.set(name, value);
  }
}

class Run {
  readonly globals = new Map<string, string>();
  readonly actions: SieveAction[] = [];
  readonly notes: string[] = [];
  private implicitKeep = true;
  private redirects = 0;
  private variables = 0;
  private includes = 0;
  private readonly included = new Set<string>();
  private readonly stack: string[] = [];
  private readonly compiled = new Map<string, Program>();
  /** RFC 5232 3: the internal flags variable. */
  private flags: string[] = [];
  readonly budget: Budget;
  readonly limits: SieveLimits;
  private readonly separator: string;

  constructor(private readonly env: SieveEnvironment) {
    this.limits = { ...DEFAULT_LIMITS, ...env.limits };
    this.budget = new Budget(this.limits.maxSteps, this.limits.maxCpuMs, env.clock);
    this.separator = env.subaddressSeparator ?? '+';
  }

  countVariable(): void {
    if (++this.variables > this.limits.maxVariables) {
      throw new SieveRuntimeError('too-many-variables', `more than ${this.limits.maxVariables} variables`);
    }
  }

  execute(program: Program): SieveResult {
    try {
      this.script(program, '');
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
    }
    // RFC 5228 2.10.2: the implicit keep, with the flags as they are now (RFC 5232 3).
    if (this.implicitKeep) this.addAction({ type: 'keep', flags: [...this.flags] });
    this.checkCompatible();
    return { actions: this.actions, steps: this.budget.used, notes: this.notes };
  }

  private script(program: Program, key: string): void {
    const scope = new Scope(this);
    const uses = program.required.has('variables');
    this.stack.push(key);
    try {
      this.block(program.commands, scope, uses);
    } catch (e) {
      if (!(e instanceof Return)) throw e;
    } finally {
      this.stack.pop();
    }
  }

  private str(s: string, scope: Scope, uses: boolean): string {
    return uses ? expand(s, scope, this.limits.maxStringLength) : s;
  }
  private strs(list: readonly string[], scope: Scope, uses: boolean): string[] {
    return uses ? list.map((s) => this.str(s, scope, uses)) : [...list];
  }

  private addAction(a: SieveAction): void {
    // RFC 5228 4.1/4.2: the same mailbox or address once only; later flags win.
    const same = this.actions.findIndex(
      (b) =>
        (a.type === 'keep' && b.type === 'keep') ||
        (a.type === 'fileinto' && b.type === 'fileinto' && a.mailbox === b.mailbox) ||
        (a.type === 'redirect' &&
          b.type === 'redirect' &&
          a.address.toLowerCase() === b.address.toLowerCase()) ||
        (a.type === 'discard' && b.type === 'discard'),
    );
    if (same >= 0) {
      this.actions[same] = a;
      return;
    }
    if (this.actions.length >= this.limits.maxActions) {
      throw new SieveRuntimeError('too-many-actions', `more than ${this.limits.maxActions} actions`);
    }
    this.actions.push(a);
  }

  /** RFC 5429 2.1 / RFC 5230 4.7: reject/ereject cannot be combined with delivering or replying. */
  private checkCompatible(): void {
    const reject = this.actions.some((a) => a.type === 'reject');
    if (!reject) return;
    const other = this.actions.find(
      (a) => a.type === 'keep' || a.type === 'fileinto' || a.type === 'redirect' || a.type === 'vacation',
    );
    if (other)
      throw new SieveRuntimeError('incompatible-actions', `reject cannot be combined with ${other.type}`);
  }

  private block(commands: readonly Command[], scope: Scope, uses: boolean): void {
    for (const cmd of commands) {
      this.budget.spend();
      this.command(cmd, scope, uses);
    }
  }

  private flagList(list: readonly string[], scope: Scope, uses: boolean): string[] {
    // RFC 5232 3: each string is a space-separated list of flags; duplicates (case-insensitive) once.
    const out: string[] = [];
    const seen = new Set<string>();
    for (const s of this.strs(list, scope, uses)) {
      for (const f of s.split(' ')) {
        if (f === '' || seen.has(f.toLowerCase())) continue;
        seen.add(f.toLowerCase());
        out.push(f);
      }
    }
    return out;
  }

  private getFlags(variable: string | null, scope: Scope): string[] {
    if (variable === null) return this.flags;
    return (scope.get(variable.toLowerCase()) ?? '').split(' ').filter((f) => f !== '');
  }
  private setFlags(variable: string | null, flags: string[], scope: Scope): void {
    if (variable === null) this.flags = flags;
    else scope.set(variable.toLowerCase(), flags.join(' '));
  }

  private command(cmd: Command, scope: Scope, uses: boolean): void {
    switch (cmd.c) {
      case 'if': {
        for (const b of cmd.branches) {
          if (this.test(b.test, scope, uses)) {
            this.block(b.body, scope, uses);
            return;
          }
        }
        if (cmd.otherwise) this.block(cmd.otherwise, scope, uses);
        return;
      }
      case 'stop':
        throw new Stop();
      case 'keep':
        this.implicitKeep = false;
        this.addAction({
          type: 'keep',
          flags: cmd.flags ? this.flagList(cmd.flags, scope, uses) : [...this.flags],
        });
        return;
      case 'discard':
        this.implicitKeep = false;
        this.addAction({ type: 'discard' });
        return;
      case 'fileinto': {
        const mailbox = this.str(cmd.mailbox, scope, uses);
        if (mailbox === '')
          throw new SieveRuntimeError('bad-value', `line ${cmd.line}: fileinto an empty mailbox name`);
        if (!cmd.copy) this.implicitKeep = false;
        this.addAction({
          type: 'fileinto',
          mailbox,
          flags: cmd.flags ? this.flagList(cmd.flags, scope, uses) : [...this.flags],
          create: cmd.create,
        });
        return;
      }
      case 'redirect': {
        const address = envelopeAddress(this.str(cmd.address, scope, uses));
        // RFC 5228 4.2: an invalid address is a run-time error.
        if (!/^[^\s@<>]+@[^\s@<>]+$/.test(address))
          throw new SieveRuntimeError('bad-value', `line ${cmd.line}: redirect to an invalid address`);
        if (++this.redirects > this.limits.maxRedirects) {
          throw new SieveRuntimeError(
            'too-many-redirects',
            `more than ${this.limits.maxRedirects} redirects`,
          );
        }
        if (!cmd.copy) this.implicitKeep = false;
        this.addAction({ type: 'redirect', address });
        return;
      }
      case 'reject':
        this.implicitKeep = false;
        this.addAction({ type: 'reject', reason: this.str(cmd.reason, scope, uses), extended: cmd.extended });
        return;
      case 'setflag':
        this.setFlags(cmd.variable, this.flagList(cmd.flags, scope, uses), scope);
        return;
      case 'addflag': {
        const cur = this.getFlags(cmd.variable, scope);
        this.setFlags(
          cmd.variable,
          this.flagList([cur.join(' '), ...cmd.flags.map((f) => this.str(f, scope, uses))], scope, false),
          scope,
        );
        return;
      }
      case 'removeflag': {
        const gone = new Set(this.flagList(cmd.flags, scope, uses).map((f) => f.toLowerCase()));
        this.setFlags(
          cmd.variable,
          this.getFlags(cmd.variable, scope).filter((f) => !gone.has(f.toLowerCase())),
          scope,
        );
        return;
      }
      case 'set':
        scope.set(cmd.name, applyModifiers(this.str(cmd.value, scope, uses), cmd.modifiers));
        return;
      case 'vacation': {
        if (this.actions.some((a) => a.type === 'vacation')) {
          throw new SieveRuntimeError('incompatible-actions', `line ${cmd.line}: vacation twice`);
        }
        const v = vacationAction(
          {
            days: cmd.days,
            subject: cmd.subject === null ? null : this.str(cmd.subject, scope, uses),
            from: cmd.from === null ? null : this.str(cmd.from, scope, uses),
            addresses: this.strs(cmd.addresses, scope, uses),
            mime: cmd.mime,
            handle: cmd.handle === null ? null : this.str(cmd.handle, scope, uses),
            reason: this.str(cmd.reason, scope, uses),
          },
          this.env.message,
          this.env.envelope,
          this.env.userAddresses ?? [],
        );
        if ('refused' in v) this.notes.push(`vacation: no reply (${v.refused})`);
        else this.addAction(v);
        return;
      }
      case 'include':
        this.include(cmd, scope, uses);
        return;
      case 'return':
        throw new Return();
      case 'global':
        for (const n of this.strs(cmd.names, scope, uses)) scope.globalNames.add(n.toLowerCase());
        return;
    }
  }

  private include(cmd: Extract<Command, { c: 'include' }>, scope: Scope, uses: boolean): void {
    const name = this.str(cmd.name, scope, uses);
    const key = `${cmd.personal ? 'personal' : 'global'}:${name}`;
    // RFC 6609 3.2: :once includes a script only the first time.
    if (cmd.once && this.included.has(key)) return;
    // RFC 6609 3.2: a script including itself (directly or not) is an error.
    if (this.stack.includes(key)) throw new SieveRuntimeError('include-loop', `include loop at "${name}"`);
    if (this.stack.length > this.limits.maxIncludeDepth) {
      throw new SieveRuntimeError(
        'include-limit',
        `includes nested deeper than ${this.limits.maxIncludeDepth}`,
      );
    }
    if (++this.includes > this.limits.maxIncludes) {
      throw new SieveRuntimeError('include-limit', `more than ${this.limits.maxIncludes} includes`);
    }
    let program = this.compiled.get(key);
    if (!program) {
      const source = this.env.loadScript?.(name, cmd.personal) ?? null;
      if (source === null) {
        // RFC 6609 3.2: :optional makes a missing script a no-op.
        if (cmd.optional) return;
        throw new SieveRuntimeError('include-missing', `line ${cmd.line}: no script "${name}"`);
      }
      try {
        program = compileScript(source, this.limits);
      } catch (e) {
        throw new SieveRuntimeError('include-missing', `included script "${name}": ${(e as Error).message}`);
      }
      this.compiled.set(key, program);
    }
    this.included.add(key);
    this.script(program, key);
  }

  private test(t: Test, scope: Scope, uses: boolean): boolean {
    this.budget.spend();
    switch (t.t) {
      case 'true':
        return true;
      case 'false':
        return false;
      case 'not':
        return !this.test(t.test, scope, uses);
      case 'allof':
        return t.tests.every((x) => this.test(x, scope, uses));
      case 'anyof':
        return t.tests.some((x) => this.test(x, scope, uses));
      case 'exists':
        return this.strs(t.headers, scope, uses).every((h) => this.env.message.header(h).length > 0);
      case 'size':
        return t.over ? this.env.message.size > t.limit : this.env.message.size < t.limit;
      case 'header': {
        const values = this.strs(t.headers, scope, uses).flatMap((h) =>
          pick(this.env.message.header(h), t.index),
        );
        return this.match(values, t.keys, t.match, scope, uses);
      }
      case 'address': {
        const values: string[] = [];
        for (const h of this.strs(t.headers, scope, uses)) {
          for (const v of pick(this.env.message.header(h), t.index)) {
            for (const a of parseAddressList(v)) this.pushPart(values, a, t.part);
          }
        }
        return this.match(values, t.keys, t.match, scope, uses);
      }
      case 'envelope': {
        const values: string[] = [];
        for (const p of t.parts) {
          const a = p === 'from' ? this.env.envelope.from : this.env.envelope.to;
          this.pushPart(values, envelopeAddress(a), t.part);
        }
        return this.match(values, t.keys, t.match, scope, uses);
      }
      case 'body':
        return this.match(this.bodyValues(t.transform, scope, uses), t.keys, t.match, scope, uses);
      case 'string': {
        let values = this.strs(t.sources, scope, uses);
        // RFC 5229 5: for :count, empty strings are not counted.
        if (t.match.type.kind === 'count') values = values.filter((v) => v !== '');
        return this.match(values, t.keys, t.match, scope, uses);
      }
      case 'hasflag': {
        const vars = t.variables === null ? [null] : this.strs(t.variables, scope, uses);
        const values = vars.flatMap((v) => this.getFlags(v, scope));
        return this.match(values, t.keys, t.match, scope, uses);
      }
      case 'date': {
        const raw = pick(this.env.message.header(this.str(t.header, scope, uses)), t.index);
        const values: string[] = [];
        for (const v of raw.slice(0, 1)) {
          const d = parseRfc5322Date(v);
          // RFC 5260 4: a header that is not a valid date makes the test false.
          if (!d) continue;
          const part = datePart(
            this.zoned(d.utc, d.offset, t.zone, scope, uses),
            this.str(t.datePart, scope, uses).toLowerCase(),
          );
          if (part !== null) values.push(part);
        }
        return this.match(values, t.keys, t.match, scope, uses);
      }
      case 'currentdate': {
        const now = this.env.now ?? Date.now();
        const part = datePart(
          this.zoned(now, this.env.localZone ?? 0, t.zone, scope, uses),
          this.str(t.datePart, scope, uses).toLowerCase(),
        );
        return this.match(part === null ? [] : [part], t.keys, t.match, scope, uses);
      }
      case 'mailboxexists':
        return this.strs(t.mailboxes, scope, uses).every((m) => this.env.mailboxExists?.(m) ?? false);
    }
  }

  private zoned(utc: number, original: number, zone: Zone, scope: Scope, uses: boolean): ZonedTime {
    if (zone.kind === 'original') return { utc, offset: original };
    if (zone.kind === 'zone') return { utc, offset: parseZone(this.str(zone.zone, scope, uses)) };
    return { utc, offset: this.env.localZone ?? 0 };
  }

  private pushPart(values: string[], addr: string, part: AddressPart): void {
    const v = addressPart(addr, part, this.separator);
    if (v !== null) values.push(v);
  }

  private bodyValues(
    transform: Extract<Test, { t: 'body' }>['transform'],
    _scope: Scope,
    _uses: boolean,
  ): string[] {
    const msg = this.env.message;
    const cap = (s: string): string => {
      this.budget.spend(Math.ceil(Math.min(s.length, this.limits.maxBodyText) / 256));
      return s.length > this.limits.maxBodyText ? s.slice(0, this.limits.maxBodyText) : s;
    };
    if (transform.kind === 'raw') return [cap(msg.rawBody())];
    // RFC 5173 5.2: :text is :content "text"; a type matches its subtypes, "" matches all.
    const types = transform.kind === 'text' ? ['text'] : transform.types;
    return msg
      .parts()
      .slice(0, this.limits.maxBodyParts)
      .filter((p) =>
        types.some(
          (t) => t === '' || (t.includes('/') ? p.contentType === t : p.contentType.split('/')[0] === t),
        ),
      )
      .filter((p) => !p.contentType.startsWith('multipart/') && p.contentType !== 'message/rfc822')
      .map((p) => cap(p.text()));
  }

  private match(values: string[], keys: readonly string[], m: Match, scope: Scope, uses: boolean): boolean {
    const r = matchAny(values, this.strs(keys, scope, uses), m, this.budget, uses);
    // RFC 5229 3.2: a successful :matches sets ${0}..${n}.
    if (r.matched && r.captures) scope.matchVariables = r.captures;
    return r.matched;
  }
}

/** RFC 5260 6: :index n picks the nth value (from the end with :last); without it, all. */
function pick(values: string[], index: IndexSpec): string[] {
  if (!index) return values;
  const i = index.last ? values.length - index.index : index.index - 1;
  const v = values[i];
  return v === undefined ? [] : [v];
}

/** Run a program. Throws SieveRuntimeError; the caller then keeps the message (see runSieveSafely). */
export function runSieve(program: Program, env: SieveEnvironment): SieveResult {
  return new Run(env).execute(program);
}

export interface SafeSieveResult extends SieveResult {
  /** The runtime error that made the run fall back to the implicit keep, if any. */
  error: SieveRuntimeError | null;
}

/** Run a program; on any runtime error, the implicit keep alone (RFC 5228 2.10.6: never lose mail). */
export function runSieveSafely(program: Program, env: SieveEnvironment): SafeSieveResult {
  try {
    return { ...runSieve(program, env), error: null };
  } catch (e) {
    const error =
      e instanceof SieveRuntimeError ? e : new SieveRuntimeError('bad-value', (e as Error).message);
    return { actions: [{ type: 'keep', flags: [] }], steps: 0, notes: [], error };
  }
}
