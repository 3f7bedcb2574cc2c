/**
 * The IMAP URLs CATENATE (RFC 4469 3) takes: RFC 5092 URLs naming one message or message part,
 * with RFC 5550's `;PARTIAL=offset[.length]` (URL-PARTIAL). Pure code: a string in, the parts out,
 * or null when the URL is malformed or of a form this server does not resolve. Accepted:
 *   imapurl        = "imap://" [iuserinfo "@"] host [":" port] "/" imessagepart
 *   iabsolute-path = "/" imessagepart                      (on this server)
 *   irelative-path = iuid-only ["/" isection-only] ["/" ipartial-only]   (in the selected mailbox)
 *   imessagepart   = enc-mailbox [";UIDVALIDITY=" nz-number] "/;UID=" nz-number
 *                    ["/;SECTION=" enc-section] ["/;PARTIAL=" number ["." nz-number]]
 * RFC 4469's own example writes `;UID=113330;section=1.5.9` without the "/" before `;SECTION=`;
 * that spelling (and the same for `;PARTIAL=`) is read alike.
 * Refused (null): URLAUTH / EXPIRE (RFC 4467, not offered), mailbox and search URLs (they name no
 * message), other relative forms. Parameter names are case-insensitive (RFC 5234 2.3 strings).
 */

export interface ImapUrl {
  /** `imap://user@...` decoded, null when absent or for a path-only URL. */
  readonly user: string | null;
  /** Null for a path-only URL (this server). */
  readonly host: string | null;
  /** Decoded UTF-8 mailbox name; null for a URL relative to the selected mailbox. */
  readonly mailbox: string | null;
  readonly uidValidity: number | null;
  readonly uid: number;
  /** Decoded section text as in FETCH BODY[...], e.g. `1.2` or `HEADER.FIELDS (FROM)`; null for the whole message. */
  readonly section: string | null;
  /** RFC 5550 ipartial; `length` null runs to the end. */
  readonly partial: { readonly offset: number; readonly length: number | null } | null;
}

const SERVER = /^imap:\/\/(?:([^@/]*)@)?([^:/@]+)(?::(\d+))?(\/.*)$/is;
const ABSOLUTE_PART =
  /^\/([^;?]+?)(?:;UIDVALIDITY=([1-9]\d*))?\/;UID=([1-9]\d*)(?:\/?;SECTION=([^;?]+?))?(?:\/?;PARTIAL=(\d+)(?:\.([1-9]\d*))?)?$/is;
const RELATIVE_PART = /^;UID=([1-9]\d*)(?:\/?;SECTION=([^;?]+?))?(?:\/?;PARTIAL=(\d+)(?:\.([1-9]\d*))?)?$/is;
/** RFC 3501 number / nz-number: unsigned 32-bit. */
const MAX_NUMBER = 0xffffffff;

export function parseImapUrl(url: string): ImapUrl | null {
  // RFC 3986 2: a URL is ASCII; anything else must be percent-encoded.
  if (!/^[\x21-\x7e]+$/.test(url)) return null;
  let user: string | null = null;
  let host: string | null = null;
  let path = url;
  const server = SERVER.exec(url);
  if (server) {
    const userinfo = server[1];
    if (userinfo !== undefined && userinfo !== '') {
      // RFC 5092 iuserinfo = enc-user [iauth] / [enc-user] iauth; ";AUTH=" names the mechanism.
      const enc = userinfo.replace(/;AUTH=(\*|[^;]+)$/i, '');
      if (enc.includes(';')) return null;
      if (enc !== '') {
        user = decode(enc);
        if (user === null) return null;
      }
    }
    host = (server[2] as string).toLowerCase();
    path = server[4] as string;
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('//')) {
    return null; // another scheme, or a network-path reference without "imap:"
  }
  const absolute = ABSOLUTE_PART.exec(path);
  if (absolute) {
    const mailbox = decode(absolute[1] as string);
    const section = absolute[4] === undefined ? null : decode(absolute[4]);
    if (mailbox === null || (absolute[4] !== undefined && section === null)) return null;
    return build(user, host, mailbox, absolute[2], absolute[3], section, absolute[5], absolute[6]);
  }
  if (host !== null) return null;
  const relative = RELATIVE_PART.exec(path);
  if (!relative) return null;
  const section = relative[2] === undefined ? null : decode(relative[2]);
  if (relative[2] !== undefined && section === null) return null;
  return build(null, null, null, undefined, relative[1], section, relative[3], relative[4]);
}

function build(
  user: string | null,
  host: string | null,
  mailbox: string | null,
  uidValidity: string | undefined,
  uid: string | undefined,
  section: string | null,
  offset: string | undefined,
  length: string | undefined,
): ImapUrl | null {
  const numbers = [uidValidity, uid, offset, length].map((n) => (n === undefined ? null : Number(n)));
  if (numbers.some((n) => n !== null && n > MAX_NUMBER)) return null;
  const [validity, id, from, count] = numbers;
  if (id === null || id === undefined) return null;
  return {
    user,
    host,
    mailbox,
    uidValidity: validity ?? null,
    uid: id,
    section,
    partial: from === null || from === undefined ? null : { offset: from, length: count ?? null },
  };
}

/** RFC 3986 2.1 percent-decoding to UTF-8 (RFC 5092 3.1: mailbox names are UTF-8); null when invalid. */
function decode(text: string): string | null {
  if (/%(?![0-9a-f]{2})/i.test(text)) return null;
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/**
 * RFC 4469 5 (errata 2002): url-resp-text is any TEXT-CHAR except "]", so the URL goes into
 * `[BADURL ...]` with "]" and anything outside printable ASCII percent-encoded.
 */
export function urlRespText(url: string): string {
  const text = url.replace(/[^\x20-\x5c\x5e-\x7e]/gu, (ch) =>
    [...Buffer.from(ch, 'utf8')]
      .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
  return text === '' ? '%20' : text;
}
