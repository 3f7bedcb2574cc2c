/**
 * The vacation reply as settings (on/off, subject, message, days, addresses) rather than Sieve:
 * the one place that writes the script `minimail vacation` and the web app's vacation form store,
 * and reads it back. Reaches the user's scripts through the narrow `VacationScripts` interface (the
 * store's SieveScriptStore has these methods), so this package still imports no store.
 */
import { compileScript } from './compile.js';
import { SieveParseError } from './errors.js';
import { VACATION_DEFAULT_DAYS, VACATION_MAX_DAYS, VACATION_MIN_DAYS } from './limits.js';

/** The script the vacation settings are kept in; turning them on makes it the active script. */
export const VACATION_SCRIPT = 'vacation';
/** Longest reply message and subject accepted from a form or the CLI (the script cap is 256 KiB). */
export const VACATION_MAX_MESSAGE_CHARS = 64 * 1024;
export const VACATION_MAX_SUBJECT_CHARS = 998;
/** RFC 5230 4.5 `:addresses`: at most this many further addresses of the user. */
export const VACATION_MAX_ADDRESSES = 20;

export interface VacationSettings {
  /** Whether the vacation script is the active script. */
  enabled: boolean;
  /** The reply's subject; null: "Auto: " + the original subject (RFC 5230 4.3). */
  subject: string | null;
  /** The reply's text. */
  message: string;
  /** Reply to one sender at most once per this many days (RFC 5230 4.1), 1-30. */
  days: number;
  /** The reply's From; null: the user's own address (RFC 5230 4.4). */
  from: string | null;
  /** The user's other addresses: mail to these is answered too (RFC 5230 4.5). */
  addresses: string[];
}

/** What the settings are read and written through (a subset of the store's SieveScriptStore). */
export interface VacationScripts {
  getSieveScript(userId: number, name: string): Promise<string | null>;
  putSieveScript(userId: number, name: string, content: string): Promise<void>;
  activateSieveScript(userId: number, name: string | null): Promise<void>;
  activeSieveScript(userId: number): Promise<{ name: string } | null>;
}

/** A setting the script cannot hold; the message names the field. */
export class VacationSettingsError extends Error {}

/** A Sieve quoted string (RFC 5228 2.4.2: backslash escapes backslash and the double quote). */
function quoted(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Checks the settings a user gave; throws VacationSettingsError naming the first bad one. */
export function checkVacationSettings(settings: VacationSettings): void {
  const { days, subject, message, from, addresses } = settings;
  // RFC 5230 4.1: :days is at least 1; we cap it at 30 (README).
  if (!Number.isInteger(days) || days < VACATION_MIN_DAYS || days > VACATION_MAX_DAYS)
    throw new VacationSettingsError(
      `days must be a whole number from ${VACATION_MIN_DAYS} to ${VACATION_MAX_DAYS}`,
    );
  if (settings.enabled && message.trim() === '')
    throw new VacationSettingsError('a vacation reply needs a message');
  if (message.length > VACATION_MAX_MESSAGE_CHARS)
    throw new VacationSettingsError(`message is longer than ${VACATION_MAX_MESSAGE_CHARS} characters`);
  if (subject !== null && (subject.length > VACATION_MAX_SUBJECT_CHARS || /[\r\n]/.test(subject)))
    throw new VacationSettingsError(
      `subject must be one line of at most ${VACATION_MAX_SUBJECT_CHARS} characters`,
    );
  if (from !== null && !isAddress(from)) throw new VacationSettingsError(`from is not an address: ${from}`);
  if (addresses.length > VACATION_MAX_ADDRESSES)
    throw new VacationSettingsError(`at most ${VACATION_MAX_ADDRESSES} addresses`);
  for (const address of addresses)
    if (!isAddress(address)) throw new VacationSettingsError(`not an address: ${address}`);
}

function isAddress(text: string): boolean {
  return /^[^\s@<>"\\]+@[^\s@<>"\\]+$/.test(text) && text.length <= 254;
}

/** The Sieve script holding these settings (RFC 5230), checked by the compiler before it is returned. */
export function vacationScript(settings: Omit<VacationSettings, 'enabled'>): string {
  const tags = [
    `:days ${settings.days}`,
    ...(settings.subject !== null ? [`:subject ${quoted(settings.subject)}`] : []),
    ...(settings.from !== null ? [`:from ${quoted(settings.from)}`] : []),
    ...(settings.addresses.length > 0
      ? [`:addresses [${settings.addresses.map((a) => quoted(a)).join(', ')}]`]
      : []),
  ];
  const script = `require ["vacation"];\r\nvacation ${tags.join(' ')} ${quoted(settings.message.replace(/\r?\n/g, '\r\n'))};\r\n`;
  compileScript(script);
  return script;
}

/**
 * The settings a vacation script holds: its first `vacation` command's arguments. Null when the
 * script does not compile or has no vacation command (someone replaced it by hand over ManageSieve).
 */
export function readVacationScript(source: string): Omit<VacationSettings, 'enabled'> | null {
  let program;
  try {
    program = compileScript(source);
  } catch (error) {
    if (error instanceof SieveParseError) return null;
    throw error;
  }
  for (const command of program.commands) {
    if (command.c !== 'vacation') continue;
    return {
      subject: command.subject,
      message: command.reason.replace(/\r\n/g, '\n'),
      days: command.days ?? VACATION_DEFAULT_DAYS,
      from: command.from,
      addresses: command.addresses,
    };
  }
  return null;
}

/** The user's vacation settings: off with defaults when there is no vacation script yet. */
export async function readVacation(scripts: VacationScripts, userId: number): Promise<VacationSettings> {
  const [source, active] = await Promise.all([
    scripts.getSieveScript(userId, VACATION_SCRIPT),
    scripts.activeSieveScript(userId),
  ]);
  const stored = source === null ? null : readVacationScript(source);
  return {
    enabled: stored !== null && active?.name === VACATION_SCRIPT,
    ...(stored ?? { subject: null, message: '', days: VACATION_DEFAULT_DAYS, from: null, addresses: [] }),
  };
}

/**
 * Stores the settings as the vacation script and makes it the active script (it replaces whatever
 * script was active), or, when turned off, deactivates it if it is the active one (keeping the
 * text for next time when a message is given).
 */
export async function applyVacation(
  scripts: VacationScripts,
  userId: number,
  settings: VacationSettings,
): Promise<void> {
  checkVacationSettings(settings);
  if (settings.message.trim() !== '') {
    await scripts.putSieveScript(userId, VACATION_SCRIPT, vacationScript(settings));
  }
  if (settings.enabled) {
    await scripts.activateSieveScript(userId, VACATION_SCRIPT);
  } else if ((await scripts.activeSieveScript(userId))?.name === VACATION_SCRIPT) {
    await scripts.activateSieveScript(userId, null);
  }
}
