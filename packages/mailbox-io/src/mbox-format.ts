/**
 * The mbox format as read and written here: mboxrd (https://www.loc.gov/preservation/digital/formats/fdd/fdd000385.shtml,
 * RFC 4155). Each message starts with a `From ` separator line at the start of the file or after an
 * empty line; a body line matching `>*From ` gets one more `>` when written and loses one when read,
 * so any body survives the round trip. The file holds LF line ends. One empty line ends each message
 * and belongs to the format, not to the message.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * The date of a `From sender date` line, in asctime form (`Sat Dec  4 18:00:00 2026`, optionally
 * with a zone before or after the year). Read as UTC when no zone is given (what we write). Null if
 * the line has no such date: then the line is not a separator.
 */
export function parseFromLineDate(line: string): Date | null {
  const match =
    /^From \S+\s+(?:[A-Z][a-z]{2}\s+)?([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:([+-]\d{4}|[A-Z]{3,4})\s+)?(\d{4})(?:\s+([+-]\d{4}))?/.exec(
      line,
    );
  if (!match) return null;
  const month = MONTHS.indexOf(match[1]!);
  if (month < 0) return null;
  const zone = match[8] ?? match[6];
  let offsetMinutes = 0;
  if (zone && /^[+-]\d{4}$/.test(zone)) {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
  }
  const utc = Date.UTC(
    Number(match[7]),
    month,
    Number(match[2]),
    Number(match[3]),
    Number(match[4]),
    Number(match[5] ?? 0),
  );
  const date = new Date(utc - offsetMinutes * 60_000);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** `From MAILER-DAEMON Sat Dec  4 18:00:00 2026`, the date in UTC. */
export function formatFromLine(date: Date, sender = 'MAILER-DAEMON'): string {
  const day = String(date.getUTCDate()).padStart(2, ' ');
  const time = [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  return `From ${sender} ${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${day} ${time} ${date.getUTCFullYear()}`;
}

/** Header fields that carry mbox metadata (flags, UIDs), not message content: removed on import. */
export const MBOX_METADATA_HEADERS = ['status', 'x-status', 'x-keywords', 'x-uid', 'x-imapbase', 'x-imap'];
