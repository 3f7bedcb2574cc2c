/**
 * The checked program: each command and test with its arguments resolved and typed. Strings are
 * kept as written (encoded-character already decoded) and expanded for variables at run time.
 */
export type Comparator = 'i;octet' | 'i;ascii-casemap' | 'i;ascii-numeric';
export type RelOp = 'gt' | 'ge' | 'lt' | 'le' | 'eq' | 'ne';
export type MatchType =
  | { kind: 'is' }
  | { kind: 'contains' }
  | { kind: 'matches' }
  | { kind: 'count'; op: RelOp }
  | { kind: 'value'; op: RelOp };

export interface Match {
  type: MatchType;
  comparator: Comparator;
}

export type AddressPart = 'all' | 'localpart' | 'domain' | 'user' | 'detail';

/** RFC 5260 6: :index n [:last]; null when absent. */
export type IndexSpec = { index: number; last: boolean } | null;

export type BodyTransform = { kind: 'raw' } | { kind: 'text' } | { kind: 'content'; types: string[] };

export type Zone = { kind: 'local' } | { kind: 'zone'; zone: string } | { kind: 'original' };

export type Test =
  | { t: 'true' }
  | { t: 'false' }
  | { t: 'not'; test: Test }
  | { t: 'allof' | 'anyof'; tests: Test[] }
  | { t: 'exists'; headers: string[] }
  | { t: 'size'; over: boolean; limit: number }
  | { t: 'header'; headers: string[]; keys: string[]; match: Match; index: IndexSpec }
  | { t: 'address'; headers: string[]; keys: string[]; match: Match; part: AddressPart; index: IndexSpec }
  | { t: 'envelope'; parts: string[]; keys: string[]; match: Match; part: AddressPart }
  | { t: 'body'; transform: BodyTransform; keys: string[]; match: Match }
  | { t: 'string'; sources: string[]; keys: string[]; match: Match }
  | { t: 'hasflag'; variables: string[] | null; keys: string[]; match: Match }
  | {
      t: 'date';
      header: string;
      datePart: string;
      zone: Zone;
      keys: string[];
      match: Match;
      index: IndexSpec;
    }
  | { t: 'currentdate'; datePart: string; zone: Zone; keys: string[]; match: Match }
  | { t: 'mailboxexists'; mailboxes: string[] };

export type Command = { line: number } & (
  | { c: 'if'; branches: { test: Test; body: Command[] }[]; otherwise: Command[] | null }
  | { c: 'stop' }
  | { c: 'keep'; flags: string[] | null }
  | { c: 'discard' }
  | { c: 'fileinto'; mailbox: string; flags: string[] | null; copy: boolean; create: boolean }
  | { c: 'redirect'; address: string; copy: boolean }
  | { c: 'reject'; reason: string; extended: boolean }
  | { c: 'setflag' | 'addflag' | 'removeflag'; variable: string | null; flags: string[] }
  | { c: 'set'; name: string; value: string; modifiers: string[] }
  | {
      c: 'vacation';
      days: number | null;
      subject: string | null;
      from: string | null;
      addresses: string[];
      mime: boolean;
      handle: string | null;
      reason: string;
    }
  | { c: 'include'; personal: boolean; name: string; once: boolean; optional: boolean }
  | { c: 'return' }
  | { c: 'global'; names: string[] }
);

export interface Program {
  commands: Command[];
  /** The extensions the script required (RFC 5228 3.2). */
  required: ReadonlySet<string>;
}
