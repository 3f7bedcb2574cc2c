/**
 * Every bound the interpreter keeps, in one place, each with its reason. A script is user input
 * run at every delivery: nothing it says may take unbounded memory or time (RFC 5228 10).
 */
export interface SieveLimits {
  /** Octets of script source. Real scripts are a few KiB; Dovecot's default cap is 1 MiB. */
  maxScriptBytes: number;
  /** Characters in one string literal, and in any string built by variable expansion. */
  maxStringLength: number;
  /** Items in one string list (`["a", "b", ...]`). */
  maxListItems: number;
  /** Depth of nested blocks and tests together (`if` in `if`, `not (anyof (...))`). */
  maxNesting: number;
  /** Actions one run may produce (keep, fileinto, redirect, vacation ...). RFC 5228 10. */
  maxActions: number;
  /** `redirect`s one message may cause: each is a new outbound message (mail loops, RFC 5228 4.2). */
  maxRedirects: number;
  /** Evaluation steps (commands, tests, comparisons, characters matched) per run: the CPU budget. */
  maxSteps: number;
  /** Wall-clock milliseconds per run, checked every few thousand steps: a second line of defence. */
  maxCpuMs: number;
  /** Nested `include`s (RFC 6609 3.2 lets implementations cap it). */
  maxIncludeDepth: number;
  /** Distinct scripts one run may include in total. */
  maxIncludes: number;
  /** Variables one run may define (RFC 5229 6: implementations may limit). */
  maxVariables: number;
  /** Leaf body parts `body :content` looks at. */
  maxBodyParts: number;
  /** Octets of decoded body text the body test reads per part. */
  maxBodyText: number;
}

export const DEFAULT_LIMITS: Readonly<SieveLimits> = Object.freeze({
  maxScriptBytes: 256 * 1024,
  // RFC 5229 6: a variable must be able to hold at least 4000 characters.
  maxStringLength: 64 * 1024,
  maxListItems: 1024,
  maxNesting: 32,
  maxActions: 64,
  // Dovecot's sieve_max_redirects default.
  maxRedirects: 4,
  maxSteps: 2_000_000,
  maxCpuMs: 1_000,
  maxIncludeDepth: 10,
  maxIncludes: 32,
  maxVariables: 256,
  maxBodyParts: 64,
  maxBodyText: 1024 * 1024,
});

/** The vacation extension's day range (RFC 5230 4.1: sites may set a minimum and maximum). */
export const VACATION_MIN_DAYS = 1;
export const VACATION_MAX_DAYS = 30;
export const VACATION_DEFAULT_DAYS = 7;
