/**
 * RFC 5260 4: the date and currentdate tests' date parts, and the RFC 5322 3.3 date-time parser
 * they read header dates with. Times are kept as a UTC instant plus the zone they are shown in.
 */
export const DATE_PARTS: ReadonlySet<string> = new Set([
  'year',
  'month',
  'day',
  'date',
  'julian',
  'hour',
  'minute',
  'second',
  'time',
  'iso8601',
  'std11',
  'zone',
  'weekday',
]);

export interface ZonedTime {
  /** Milliseconds since the epoch (UTC). */
  utc: number;
  /** Offset of the zone to present the time in, in minutes east of UTC. */
  offset: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
/** RFC 5322 4.3 obsolete zones. */
const OBS_ZONES: Readonly<Record<string, number>> = {
  ut: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
};

/** Parse an RFC 5322 date-time ("Tue, 1 Apr 1997 09:06:31 -0800"); null when it is not one. */
export function parseRfc5322Date(value: string): ZonedTime | null {
  const s = value.replace(/\([^)]*\)/g, ' ').trim();
  const m =
    /^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|[A-Za-z]{1,3})?$/.exec(
      s,
    );
  if (!m) return null;
  const day = Number(m[1]);
  const month = MONTHS.indexOf(m[2]!.toLowerCase());
  let year = Number(m[3]);
  // RFC 5322 4.3: two-digit years 00-49 are 2000-2049, 50-99 are 1950-1999; three digits add 1900.
  if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
  else if (m[3]!.length === 3) year += 1900;
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] ? Number(m[6]) : 0;
  if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  let offset = 0;
  const z = m[7];
  if (z && /^[+-]\d{4}$/.test(z)) offset = parseZone(z);
  else if (z) offset = OBS_ZONES[z.toLowerCase()] ?? 0;
  const utc = Date.UTC(year, month, day, hour, minute, second) - offset * 60_000;
  return { utc, offset };
}

/** "+0130" -> 90 minutes. */
export function parseZone(z: string): number {
  const sign = z.startsWith('-') ? -1 : 1;
  return sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function formatZone(offset: number): string {
  const a = Math.abs(offset);
  return `${offset < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}${pad(a % 60)}`;
}

/** RFC 5260 4.2: one date part of the time as seen in its zone. */
export function datePart(t: ZonedTime, part: string): string | null {
  const d = new Date(t.utc + t.offset * 60_000);
  const year = pad(d.getUTCFullYear(), 4);
  const month = pad(d.getUTCMonth() + 1);
  const day = pad(d.getUTCDate());
  const hour = pad(d.getUTCHours());
  const minute = pad(d.getUTCMinutes());
  const second = pad(d.getUTCSeconds());
  switch (part) {
    case 'year':
      return year;
    case 'month':
      return month;
    case 'day':
      return day;
    case 'date':
      return `${year}-${month}-${day}`;
    case 'julian':
      // Modified Julian Day: days since 1858-11-17 (RFC 5260 4.2).
      return String(
        Math.floor(
          (Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(1858, 10, 17)) /
            86_400_000,
        ),
      );
    case 'hour':
      return hour;
    case 'minute':
      return minute;
    case 'second':
      return second;
    case 'time':
      return `${hour}:${minute}:${second}`;
    case 'iso8601': {
      const z = formatZone(t.offset);
      return `${year}-${month}-${day}T${hour}:${minute}:${second}${z.slice(0, 3)}:${z.slice(3)}`;
    }
    case 'std11':
      return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]![0]!.toUpperCase()}${MONTHS[d.getUTCMonth()]!.slice(1)} ${year} ${hour}:${minute}:${second} ${formatZone(t.offset)}`;
    case 'zone':
      return formatZone(t.offset);
    case 'weekday':
      return String(d.getUTCDay());
    default:
      return null;
  }
}
