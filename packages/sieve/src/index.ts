/**
 * @minimail/sieve: a hand-written Sieve interpreter (RFC 5228 and the extensions in CAPABILITIES).
 * Pure code: a script and a message in, actions out; no store, no network (docs/adr/0022).
 *
 *   const program = compileScript(source);            // SieveParseError with a line at upload
 *   const { actions } = runSieveSafely(program, { message: messageFromRaw(raw), envelope });
 */
export { compileScript } from './compile.js';
export { runSieve, runSieveSafely } from './interpreter.js';
export type { SieveEnvironment, SieveResult, SafeSieveResult } from './interpreter.js';
export type { SieveAction } from './actions.js';
export type { Program } from './program.js';
export { messageFromRaw } from './message.js';
export type { SieveMessage, SieveEnvelope, SieveBodyPart } from './message.js';
export { SieveParseError, SieveRuntimeError } from './errors.js';
export type { SieveRuntimeCode } from './errors.js';
export { DEFAULT_LIMITS, VACATION_DEFAULT_DAYS, VACATION_MAX_DAYS, VACATION_MIN_DAYS } from './limits.js';
export type { SieveLimits } from './limits.js';
export { CAPABILITIES } from './capabilities.js';
export { buildVacationReply, vacationRefusal } from './vacation.js';
export type { VacationAction, VacationReplyOptions } from './vacation.js';
export {
  VACATION_SCRIPT,
  VacationSettingsError,
  applyVacation,
  checkVacationSettings,
  readVacation,
  readVacationScript,
  vacationScript,
} from './vacation-script.js';
export type { VacationScripts, VacationSettings } from './vacation-script.js';
