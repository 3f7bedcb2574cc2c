/**
 * From the generic syntax tree to the checked program: every command and test is known, required
 * (RFC 5228 3.2), and has the arguments its RFC gives it. Each error names the line, so an upload
 * (ManageSieve PUTSCRIPT, `minimail sieve put`) is refused with a useful message.
 */
import type { Argument, CommandNode, TestNode } from './ast.js';
import { BUILTIN_COMPARATORS, isCapability } from './capabilities.js';
import { decodeEncodedCharacters } from './encoded-character.js';
import { SieveParseError } from './errors.js';
import { DEFAULT_LIMITS, type SieveLimits } from './limits.js';
import { parseScript } from './parser.js';
import type {
  AddressPart,
  BodyTransform,
  Command,
  Comparator,
  IndexSpec,
  Match,
  Program,
  RelOp,
  Test,
  Zone,
} from './program.js';
import { DATE_PARTS } from './date.js';

/** Parse and check a script. Throws SieveParseError (with a line) when it is not valid. */
export function compileScript(source: string, limits: SieveLimits = DEFAULT_LIMITS): Program {
  const nodes = parseScript(source, limits);
  const c = new Compiler();
  const commands = c.block(nodes, true);
  return { commands, required: c.required };
}

type ArgKind = 'string' | 'strings' | 'number';

interface TagSpec {
  /** The tag takes a following argument of this kind. */
  value?: ArgKind;
  /** Tags of one group exclude each other (match types, comparators, address parts ...). */
  group?: string;
  /** The extension that must be required to use the tag. */
  ext?: string;
}

const MATCH_TAGS: Record<string, TagSpec> = {
  is: { group: 'match' },
  contains: { group: 'match' },
  matches: { group: 'match' },
  count: { group: 'match', value: 'string', ext: 'relational' },
  value: { group: 'match', value: 'string', ext: 'relational' },
  comparator: { value: 'string' },
};
const ADDRESS_TAGS: Record<string, TagSpec> = {
  all: { group: 'part' },
  localpart: { group: 'part' },
  domain: { group: 'part' },
  user: { group: 'part', ext: 'subaddress' },
  detail: { group: 'part', ext: 'subaddress' },
};
const INDEX_TAGS: Record<string, TagSpec> = {
  index: { value: 'number', ext: 'index' },
  last: { ext: 'index' },
};
const ZONE_TAGS: Record<string, TagSpec> = {
  zone: { group: 'zone', value: 'string' },
  originalzone: { group: 'zone' },
};
const RELOPS: ReadonlySet<string> = new Set(['gt', 'ge', 'lt', 'le', 'eq', 'ne']);

/** A command's or test's arguments split into its tags (with values) and positional arguments. */
class Args {
  readonly tags = new Map<string, Argument | null>();
  readonly positional: Argument[] = [];
  constructor(
    private readonly node: CommandNode | TestNode,
    spec: Record<string, TagSpec>,
    required: ReadonlySet<string>,
  ) {
    const groups = new Map<string, string>();
    const args = node.args;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a.kind !== 'tag') {
        this.positional.push(a);
        continue;
      }
      // RFC 5228 2.6.2: tagged arguments come before the positional ones.
      if (this.positional.length > 0) fail(a.line, `:${a.name} after a positional argument of ${node.name}`);
      const s = spec[a.name];
      if (!s) fail(a.line, `${node.name} has no :${a.name} argument`);
      if (s.ext && !required.has(s.ext)) fail(a.line, `:${a.name} needs require "${s.ext}"`);
      if (this.tags.has(a.name)) fail(a.line, `:${a.name} given twice`);
      if (s.group) {
        const other = groups.get(s.group);
        if (other) fail(a.line, `:${a.name} conflicts with :${other}`);
        groups.set(s.group, a.name);
      }
      let value: Argument | null = null;
      if (s.value) {
        const v = args[i + 1];
        if (!v || !kindMatches(v, s.value)) fail(a.line, `:${a.name} needs a ${s.value} argument`);
        value = v;
        i++;
      }
      this.tags.set(a.name, value);
    }
  }

  expect(kinds: ArgKind[]): Argument[] {
    if (this.positional.length !== kinds.length) {
      fail(
        this.node.line,
        `${this.node.name} takes ${kinds.length} positional argument(s), got ${this.positional.length}`,
      );
    }
    kinds.forEach((k, i) => {
      const a = this.positional[i]!;
      if (!kindMatches(a, k))
        fail(a.line, `${this.node.name}: argument ${i + 1} must be a ${k === 'strings' ? 'string list' : k}`);
    });
    return this.positional;
  }

  has(tag: string): boolean {
    return this.tags.has(tag);
  }
  value(tag: string): Argument | null {
    return this.tags.get(tag) ?? null;
  }
}

function kindMatches(a: Argument, k: ArgKind): boolean {
  if (k === 'number') return a.kind === 'number';
  if (k === 'string') return a.kind === 'strings' && !a.list && a.values.length === 1;
  return a.kind === 'strings';
}

function fail(line: number, detail: string): never {
  throw new SieveParseError(line, detail);
}

class Compiler {
  readonly required = new Set<string>();
  private seenOther = false;

  private str(a: Argument): string {
    if (a.kind !== 'strings') fail(a.line, 'expected a string');
    return this.decode(a.values[0]!, a.line);
  }
  private strs(a: Argument): string[] {
    if (a.kind !== 'strings') fail(a.line, 'expected a string list');
    return a.values.map((v) => this.decode(v, a.line));
  }
  private decode(s: string, line: number): string {
    if (!this.required.has('encoded-character')) return s;
    try {
      return decodeEncodedCharacters(s);
    } catch (e) {
      fail(line, (e as Error).message);
    }
  }
  private num(a: Argument): number {
    if (a.kind !== 'number') fail(a.line, 'expected a number');
    return a.value;
  }
  private need(ext: string, line: number, what: string): void {
    if (!this.required.has(ext)) fail(line, `${what} needs require "${ext}"`);
  }
  private noTests(n: CommandNode | TestNode): void {
    if (n.tests.length > 0) fail(n.line, `${n.name} takes no test`);
  }
  private noBlock(n: CommandNode): void {
    if (n.block !== null) fail(n.line, `${n.name} takes no block`);
    this.noTests(n);
  }

  block(nodes: CommandNode[], top: boolean): Command[] {
    const out: Command[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      if (n.name === 'require') {
        // RFC 5228 3.2: require only at the start of the script.
        if (!top || this.seenOther) fail(n.line, 'require must come before any other command');
        this.noBlock(n);
        const [caps] = new Args(n, {}, this.required).expect(['strings']);
        for (const cap of (caps as { values: string[] }).values) {
          if (
            cap.startsWith('comparator-')
              ? !BUILTIN_COMPARATORS.has(cap.slice(11)) && !isCapability(cap)
              : !isCapability(cap)
          ) {
            fail(n.line, `unsupported extension "${cap}"`);
          }
          this.required.add(cap);
        }
        continue;
      }
      this.seenOther = true;
      if (n.name === 'if') {
        const branches = [{ test: this.condition(n), body: this.body(n) }];
        let otherwise: Command[] | null = null;
        while (nodes[i + 1]?.name === 'elsif') {
          const e = nodes[++i]!;
          branches.push({ test: this.condition(e), body: this.body(e) });
        }
        if (nodes[i + 1]?.name === 'else') {
          const e = nodes[++i]!;
          if (e.args.length > 0 || e.tests.length > 0) fail(e.line, 'else takes no arguments');
          otherwise = this.body(e);
        }
        out.push({ c: 'if', line: n.line, branches, otherwise });
        continue;
      }
      if (n.name === 'elsif' || n.name === 'else') fail(n.line, `${n.name} without if`);
      out.push(this.command(n));
    }
    return out;
  }

  private condition(n: CommandNode): Test {
    if (n.args.length > 0 || n.tests.length !== 1) fail(n.line, `${n.name} needs exactly one test`);
    return this.test(n.tests[0]!);
  }
  private body(n: CommandNode): Command[] {
    if (n.block === null) fail(n.line, `${n.name} needs a block`);
    return this.block(n.block, false);
  }

  private flagsTag(a: Args): string[] | null {
    const v = a.value('flags');
    return v ? this.strs(v) : null;
  }

  private command(n: CommandNode): Command {
    const line = n.line;
    const req = this.required;
    switch (n.name) {
      case 'stop':
      case 'discard':
        this.noBlock(n);
        new Args(n, {}, req).expect([]);
        return { c: n.name, line };
      case 'keep': {
        this.noBlock(n);
        const a = new Args(n, { flags: { value: 'strings', ext: 'imap4flags' } }, req);
        a.expect([]);
        return { c: 'keep', line, flags: this.flagsTag(a) };
      }
      case 'fileinto': {
        this.need('fileinto', line, 'fileinto');
        this.noBlock(n);
        const a = new Args(
          n,
          {
            flags: { value: 'strings', ext: 'imap4flags' },
            copy: { ext: 'copy' },
            create: { ext: 'mailbox' },
          },
          req,
        );
        const [box] = a.expect(['string']);
        return {
          c: 'fileinto',
          line,
          mailbox: this.str(box!),
          flags: this.flagsTag(a),
          copy: a.has('copy'),
          create: a.has('create'),
        };
      }
      case 'redirect': {
        this.noBlock(n);
        const a = new Args(n, { copy: { ext: 'copy' } }, req);
        const [to] = a.expect(['string']);
        return { c: 'redirect', line, address: this.str(to!), copy: a.has('copy') };
      }
      case 'reject':
      case 'ereject': {
        this.need(n.name, line, n.name);
        this.noBlock(n);
        const [reason] = new Args(n, {}, req).expect(['string']);
        return { c: 'reject', line, reason: this.str(reason!), extended: n.name === 'ereject' };
      }
      case 'setflag':
      case 'addflag':
      case 'removeflag': {
        this.need('imap4flags', line, n.name);
        this.noBlock(n);
        const a = new Args(n, {}, req);
        // RFC 5232 3: [<variablename: string>] <list-of-flags: string-list>
        if (a.positional.length === 2) {
          this.need('variables', line, `${n.name} with a variable name`);
          const [v, f] = a.expect(['string', 'strings']);
          return { c: n.name, line, variable: this.str(v!), flags: this.strs(f!) };
        }
        const [f] = a.expect(['strings']);
        return { c: n.name, line, variable: null, flags: this.strs(f!) };
      }
      case 'set': {
        this.need('variables', line, 'set');
        this.noBlock(n);
        const mods = ['lower', 'upper', 'lowerfirst', 'upperfirst', 'quotewildcard', 'length'];
        const groups: Record<string, string> = {
          lower: 'case',
          upper: 'case',
          lowerfirst: 'first',
          upperfirst: 'first',
        };
        const spec: Record<string, TagSpec> = {};
        for (const m of mods) spec[m] = groups[m] ? { group: groups[m] } : {};
        // RFC 5173 (body) would add :encodeurl with enotify; not offered.
        const a = new Args(n, spec, req);
        const [name, value] = a.expect(['string', 'string']);
        const varName = this.str(name!);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(varName)) fail(line, `"${varName}" is not a variable name`);
        return {
          c: 'set',
          line,
          name: varName.toLowerCase(),
          value: this.str(value!),
          modifiers: [...a.tags.keys()],
        };
      }
      case 'vacation': {
        this.need('vacation', line, 'vacation');
        this.noBlock(n);
        const a = new Args(
          n,
          {
            days: { value: 'number' },
            subject: { value: 'string' },
            from: { value: 'string' },
            addresses: { value: 'strings' },
            mime: {},
            handle: { value: 'string' },
          },
          req,
        );
        const [reason] = a.expect(['string']);
        const v = (t: string): string | null => {
          const x = a.value(t);
          return x ? this.str(x) : null;
        };
        const days = a.value('days');
        const addrs = a.value('addresses');
        return {
          c: 'vacation',
          line,
          days: days ? this.num(days) : null,
          subject: v('subject'),
          from: v('from'),
          addresses: addrs ? this.strs(addrs) : [],
          mime: a.has('mime'),
          handle: v('handle'),
          reason: this.str(reason!),
        };
      }
      case 'include': {
        this.need('include', line, 'include');
        this.noBlock(n);
        const a = new Args(
          n,
          { personal: { group: 'loc' }, global: { group: 'loc' }, once: {}, optional: {} },
          req,
        );
        const [name] = a.expect(['string']);
        const script = this.str(name!);
        // RFC 6609 3.2: the name is a script name, never a path.
        if (script === '' || /[/\\\0]/.test(script)) fail(line, `bad script name "${script}"`);
        return {
          c: 'include',
          line,
          personal: !a.has('global'),
          name: script,
          once: a.has('once'),
          optional: a.has('optional'),
        };
      }
      case 'return':
        this.need('include', line, 'return');
        this.noBlock(n);
        new Args(n, {}, req).expect([]);
        return { c: 'return', line };
      case 'global': {
        this.need('include', line, 'global');
        this.need('variables', line, 'global');
        this.noBlock(n);
        const [names] = new Args(n, {}, req).expect(['strings']);
        return { c: 'global', line, names: this.strs(names!).map((s) => s.toLowerCase()) };
      }
      default:
        fail(line, `unknown command "${n.name}"`);
    }
  }

  private match(a: Args, line: number, allowNumeric = true): Match {
    let type: Match['type'] = { kind: 'is' };
    for (const k of ['is', 'contains', 'matches', 'count', 'value'] as const) {
      if (!a.has(k)) continue;
      if (k === 'count' || k === 'value') {
        const op = this.str(a.value(k)!).toLowerCase();
        if (!RELOPS.has(op)) fail(line, `"${op}" is not a relational operator`);
        type = { kind: k, op: op as RelOp };
      } else type = { kind: k };
    }
    let comparator: Comparator = 'i;ascii-casemap';
    const c = a.value('comparator');
    if (c) {
      const name = this.str(c).toLowerCase();
      if (name !== 'i;octet' && name !== 'i;ascii-casemap' && name !== 'i;ascii-numeric') {
        fail(line, `unknown comparator "${name}"`);
      }
      if (!BUILTIN_COMPARATORS.has(name) && !this.required.has(`comparator-${name}`)) {
        fail(line, `comparator "${name}" needs require "comparator-${name}"`);
      }
      comparator = name;
    }
    // RFC 4790 9.1: i;ascii-numeric offers equality and ordering, no substring match.
    if (
      comparator === 'i;ascii-numeric' &&
      (type.kind === 'contains' || type.kind === 'matches' || !allowNumeric)
    ) {
      fail(line, `comparator i;ascii-numeric cannot do :${type.kind}`);
    }
    return { type, comparator };
  }

  private index(a: Args, line: number): IndexSpec {
    const v = a.value('index');
    if (!v) {
      if (a.has('last')) fail(line, ':last needs :index');
      return null;
    }
    const index = this.num(v);
    if (index < 1) fail(line, ':index counts from 1');
    return { index, last: a.has('last') };
  }

  private addressPart(a: Args): AddressPart {
    for (const p of ['localpart', 'domain', 'user', 'detail'] as const) if (a.has(p)) return p;
    return 'all';
  }

  private zone(a: Args, line: number): Zone {
    if (a.has('originalzone')) return { kind: 'original' };
    const z = a.value('zone');
    if (!z) return { kind: 'local' };
    const zone = this.str(z);
    // RFC 5260 4.1: "+" / "-" 4DIGIT
    if (!/^[+-]\d{4}$/.test(zone)) fail(line, `bad time zone "${zone}"`);
    return { kind: 'zone', zone };
  }

  test(n: TestNode): Test {
    const line = n.line;
    const req = this.required;
    switch (n.name) {
      case 'true':
      case 'false':
        new Args(n, {}, req).expect([]);
        this.noTests(n);
        return { t: n.name };
      case 'not':
        if (n.args.length > 0 || n.tests.length !== 1) fail(line, 'not takes one test');
        return { t: 'not', test: this.test(n.tests[0]!) };
      case 'allof':
      case 'anyof':
        if (n.args.length > 0 || n.tests.length === 0) fail(line, `${n.name} takes a test list`);
        return { t: n.name, tests: n.tests.map((x) => this.test(x)) };
      case 'exists': {
        this.noTests(n);
        const [h] = new Args(n, {}, req).expect(['strings']);
        return { t: 'exists', headers: this.strs(h!) };
      }
      case 'size': {
        this.noTests(n);
        const a = new Args(n, { over: { group: 'cmp' }, under: { group: 'cmp' } }, req);
        const [limit] = a.expect(['number']);
        if (!a.has('over') && !a.has('under')) fail(line, 'size needs :over or :under');
        return { t: 'size', over: a.has('over'), limit: this.num(limit!) };
      }
      case 'header': {
        this.noTests(n);
        const a = new Args(n, { ...MATCH_TAGS, ...INDEX_TAGS }, req);
        const [h, k] = a.expect(['strings', 'strings']);
        return {
          t: 'header',
          headers: this.strs(h!),
          keys: this.strs(k!),
          match: this.match(a, line),
          index: this.index(a, line),
        };
      }
      case 'address': {
        this.noTests(n);
        const a = new Args(n, { ...MATCH_TAGS, ...ADDRESS_TAGS, ...INDEX_TAGS }, req);
        const [h, k] = a.expect(['strings', 'strings']);
        return {
          t: 'address',
          headers: this.strs(h!),
          keys: this.strs(k!),
          match: this.match(a, line),
          part: this.addressPart(a),
          index: this.index(a, line),
        };
      }
      case 'envelope': {
        this.need('envelope', line, 'envelope');
        this.noTests(n);
        const a = new Args(n, { ...MATCH_TAGS, ...ADDRESS_TAGS }, req);
        const [p, k] = a.expect(['strings', 'strings']);
        const parts = this.strs(p!).map((s) => s.toLowerCase());
        for (const part of parts)
          if (part !== 'from' && part !== 'to') fail(line, `unknown envelope part "${part}"`);
        return {
          t: 'envelope',
          parts,
          keys: this.strs(k!),
          match: this.match(a, line),
          part: this.addressPart(a),
        };
      }
      case 'body': {
        this.need('body', line, 'body');
        this.noTests(n);
        const a = new Args(
          n,
          {
            ...MATCH_TAGS,
            raw: { group: 'transform' },
            text: { group: 'transform' },
            content: { group: 'transform', value: 'strings' },
          },
          req,
        );
        const [k] = a.expect(['strings']);
        let transform: BodyTransform = { kind: 'text' };
        if (a.has('raw')) transform = { kind: 'raw' };
        const ct = a.value('content');
        if (ct) transform = { kind: 'content', types: this.strs(ct).map((s) => s.toLowerCase()) };
        return { t: 'body', transform, keys: this.strs(k!), match: this.match(a, line) };
      }
      case 'string': {
        this.need('variables', line, 'string');
        this.noTests(n);
        const a = new Args(n, MATCH_TAGS, req);
        const [s, k] = a.expect(['strings', 'strings']);
        return { t: 'string', sources: this.strs(s!), keys: this.strs(k!), match: this.match(a, line) };
      }
      case 'hasflag': {
        this.need('imap4flags', line, 'hasflag');
        this.noTests(n);
        const a = new Args(n, MATCH_TAGS, req);
        if (a.positional.length === 2) {
          this.need('variables', line, 'hasflag with variable names');
          const [v, k] = a.expect(['strings', 'strings']);
          return {
            t: 'hasflag',
            variables: this.strs(v!).map((s) => s.toLowerCase()),
            keys: this.strs(k!),
            match: this.match(a, line),
          };
        }
        const [k] = a.expect(['strings']);
        return { t: 'hasflag', variables: null, keys: this.strs(k!), match: this.match(a, line) };
      }
      case 'date': {
        this.need('date', line, 'date');
        this.noTests(n);
        const a = new Args(n, { ...MATCH_TAGS, ...ZONE_TAGS, ...INDEX_TAGS }, req);
        const [h, p, k] = a.expect(['string', 'string', 'strings']);
        const datePart = this.datePart(this.str(p!), line);
        return {
          t: 'date',
          header: this.str(h!),
          datePart,
          zone: this.zone(a, line),
          keys: this.strs(k!),
          match: this.match(a, line),
          index: this.index(a, line),
        };
      }
      case 'currentdate': {
        this.need('date', line, 'currentdate');
        this.noTests(n);
        const a = new Args(n, { ...MATCH_TAGS, zone: { value: 'string' } }, req);
        const [p, k] = a.expect(['string', 'strings']);
        return {
          t: 'currentdate',
          datePart: this.datePart(this.str(p!), line),
          zone: this.zone(a, line),
          keys: this.strs(k!),
          match: this.match(a, line),
        };
      }
      case 'mailboxexists': {
        this.need('mailbox', line, 'mailboxexists');
        this.noTests(n);
        const [m] = new Args(n, {}, req).expect(['strings']);
        return { t: 'mailboxexists', mailboxes: this.strs(m!) };
      }
      default:
        fail(line, `unknown test "${n.name}"`);
    }
  }

  private datePart(p: string, line: number): string {
    const part = p.toLowerCase();
    // With variables the part may be computed at run time; otherwise it must be one of RFC 5260 4.2's.
    if (!DATE_PARTS.has(part) && !(this.required.has('variables') && part.includes('${'))) {
      fail(line, `unknown date part "${p}"`);
    }
    return part;
  }
}
