/**
 * RFC 3501 9 dates: date-time `"17-Jul-1996 02:44:25 -0700"` (APPEND, INTERNALDATE) and
 * date `1-Feb-1994` (SEARCH BEFORE/ON/SINCE...).
 */
import { ImapWireError } from './errors.js';

/** RFC 3501 9: date-month, case-insensitive on input. */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** A calendar day without time or zone; SEARCH compares it with the date part of messages. */
export interface ImapDay {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  readonly day: number;
}

const DATE_TIME = /^( \d|\d{2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;
const DATE = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/;

/** date-time contents (without the quotes) -> the instant it names. */
export function parseDateTime(text: string): Date {
  const m = DATE_TIME.exec(text);
  if (!m) throw invalid('date-time', text);
  const [, dd, mon, yyyy, hh, mi, ss, sign, zh, zm] = m as unknown as string[];
  const day = toDay(Number(dd), mon ?? '', Number(yyyy), text, 'date-time');
  const hour = Number(hh);
  const minute = Number(mi);
  const second = Number(ss);
  const zoneHours = Number(zh);
  const zoneMinutes = Number(zm);
  if (hour > 23 || minute > 59 || second > 59 || zoneMinutes > 59) throw invalid('date-time', text);
  const offsetMinutes = (sign === '-' ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  const utc = Date.UTC(day.year, day.month - 1, day.day, hour, minute, second) - offsetMinutes * 60_000;
  return new Date(utc);
}

/** date (without quotes) -> calendar day. */
export function parseDate(text: string): ImapDay {
  const m = DATE.exec(text);
  if (!m) throw invalid('date', text);
  return toDay(Number(m[1]), m[2] ?? '', Number(m[3]), text, 'date');
}

function toDay(day: number, monthName: string, year: number, text: string, what: string): ImapDay {
  const index = MONTHS.findIndex((name) => name.toLowerCase() === monthName.toLowerCase());
  if (index === -1 || year < 1) throw invalid(what, text);
  const daysInMonth = new Date(Date.UTC(year, index + 1, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) throw invalid(what, text);
  return { year, month: index + 1, day };
}

/**
 * Date -> date-time contents, in the zone `offsetMinutes` east of UTC (default UTC).
 * The day is two digits (RFC 3501 9 date-day-fixed allows `2DIGIT`).
 */
export function formatDateTime(date: Date, offsetMinutes = 0): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${pad(local.getUTCDate())}-${MONTHS[local.getUTCMonth()]}-${String(local.getUTCFullYear()).padStart(4, '0')} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

/** Calendar day -> `1-Feb-1994`. */
export function formatDate(day: ImapDay): string {
  return `${day.day}-${MONTHS[day.month - 1]}-${String(day.year).padStart(4, '0')}`;
}

/** The day `date` falls on in UTC; SEARCH compares internal dates by their day (RFC 3501 6.4.4). */
export function dayOf(date: Date): ImapDay {
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** Negative, zero or positive like a comparator, for SEARCH BEFORE/ON/SINCE. */
export function compareDays(a: ImapDay, b: ImapDay): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function invalid(what: string, text: string): ImapWireError {
  return new ImapWireError('SYNTAX', `Invalid ${what}: ${text.slice(0, 40)}`);
}
