/**
 * The two ways a script fails. A parse error is shown at upload (ManageSieve PUTSCRIPT, the CLI)
 * with its line; a runtime error makes delivery fall back to the implicit keep (RFC 5228 2.10.6).
 */
export class SieveParseError extends Error {
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
    this.name = 'SieveParseError';
  }
}

export type SieveRuntimeCode =
  | 'step-budget'
  | 'cpu-time'
  | 'too-many-actions'
  | 'too-many-redirects'
  | 'too-many-variables'
  | 'string-too-long'
  | 'include-missing'
  | 'include-loop'
  | 'include-limit'
  | 'incompatible-actions'
  | 'bad-value';

export class SieveRuntimeError extends Error {
  constructor(
    readonly code: SieveRuntimeCode,
    detail: string,
  ) {
    super(detail);
    this.name = 'SieveRuntimeError';
  }
}
