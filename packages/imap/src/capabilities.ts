/**
 * The CAPABILITY list (RFC 3501 7.2.1) as a table: each capability with the RFC that defines it
 * and the condition under which it is advertised.
 */
import { MAX_APPEND_SIZE } from './protocol/limits.js';
import type { StateKind } from './session/state.js';
import type { Profile } from '@minimail/protocol';

export interface CapabilityContext {
  state: StateKind;
  /** The connection is encrypted (implicit TLS or after STARTTLS). */
  secure: boolean;
  /** The server has a certificate, so STARTTLS can be offered. */
  tlsAvailable: boolean;
  profile: Profile;
  /**
   * RFC 7888: LITERAL+ (non-synchronizing literals of any size the limits allow) beside LITERAL-;
   * false offers LITERAL- alone (non-synchronizing literals up to 4096 octets).
   */
  literalPlus: boolean;
}

interface CapabilityEntry {
  name: string;
  /** Advertised only when this returns true; always when absent. */
  when?: (ctx: CapabilityContext) => boolean;
}

const beforeAuth = (ctx: CapabilityContext): boolean => ctx.state === 'notAuthenticated';

export const CAPABILITIES: readonly CapabilityEntry[] = [
  { name: 'IMAP4rev1' }, // RFC 3501
  // RFC 9051 (docs/adr/0030): advertised beside IMAP4rev1; a client switches its connection to
  // IMAP4rev2 with ENABLE IMAP4rev2 (session/rev2.ts lists what changes then).
  { name: 'IMAP4rev2' },
  { name: 'LITERAL+', when: (ctx) => ctx.literalPlus }, // RFC 7888: non-synchronizing literals
  // RFC 7888 5: non-synchronizing literals up to 4096 octets; with LITERAL+ also advertised, a
  // client that knows only LITERAL- keeps to its bound and one that knows LITERAL+ may go beyond.
  { name: 'LITERAL-' },
  { name: 'SASL-IR' }, // RFC 4959: initial response on the AUTHENTICATE line
  // RFC 2221: the server may answer a login with a referral to another server. minimail never
  // refers (it holds every account itself), which the RFC allows: "servers ... MAY" refer, and a
  // client that understands referrals simply never meets one here.
  { name: 'LOGIN-REFERRALS' },
  { name: 'ID' }, // RFC 2971
  { name: 'ENABLE' }, // RFC 5161
  { name: 'IDLE' }, // RFC 2177
  { name: 'NAMESPACE' }, // RFC 2342
  { name: 'UNSELECT' }, // RFC 3691
  { name: 'UIDPLUS' }, // RFC 4315: APPENDUID, COPYUID, UID EXPUNGE
  { name: 'MOVE' }, // RFC 6851
  { name: 'CONDSTORE' }, // RFC 7162 3.1: MODSEQ, CHANGEDSINCE, UNCHANGEDSINCE, HIGHESTMODSEQ
  { name: 'QRESYNC' }, // RFC 7162 3.2: SELECT (QRESYNC ...), VANISHED, UID FETCH (... VANISHED), [CLOSED]
  { name: 'ESEARCH' }, // RFC 4731: SEARCH RETURN (MIN MAX ALL COUNT), * ESEARCH
  { name: 'SEARCHRES' }, // RFC 5182: RETURN (SAVE) and `$`
  { name: 'WITHIN' }, // RFC 5032: SEARCH OLDER / YOUNGER
  { name: 'SORT' }, // RFC 5256 3: SORT and UID SORT
  { name: 'SORT=DISPLAY' }, // RFC 5957: DISPLAYFROM, DISPLAYTO
  { name: 'THREAD=ORDEREDSUBJECT' }, // RFC 5256 4
  { name: 'THREAD=REFERENCES' }, // RFC 5256 4
  { name: 'THREAD=REFS' }, // Dovecot's: REFERENCES without subject gathering, threads by newest message
  { name: 'I18NLEVEL=1' }, // RFC 5255 4: i;unicode-casemap (RFC 5051) for SORT's strings
  { name: 'SAVEDATE' }, // RFC 8514: FETCH SAVEDATE, SEARCH SAVEDBEFORE/SAVEDON/SAVEDSINCE/SAVEDATESUPPORTED
  { name: 'ESORT' }, // RFC 5267 3: SORT RETURN (MIN MAX ALL COUNT), answered by ESEARCH
  { name: 'CONTEXT=SEARCH' }, // RFC 5267 4: RETURN (CONTEXT UPDATE PARTIAL), ADDTO/REMOVEFROM, CANCELUPDATE
  { name: 'CONTEXT=SORT' }, // RFC 5267 4: the same for SORT, positions in the requested order
  { name: 'CHILDREN' }, // RFC 3348: \HasChildren / \HasNoChildren
  { name: 'LIST-EXTENDED' }, // RFC 5258: selection and RETURN options
  { name: 'SPECIAL-USE' }, // RFC 6154: \Sent, \Trash, ... in LIST
  { name: `APPENDLIMIT=${MAX_APPEND_SIZE}` }, // RFC 7889: the largest APPEND the assembler accepts
  { name: 'LIST-STATUS' }, // RFC 5819: LIST ... RETURN (STATUS (...))
  { name: 'BINARY' }, // RFC 3516: FETCH BINARY[], BINARY.SIZE[], APPEND with literal8
  { name: 'PREVIEW' }, // RFC 8970: FETCH PREVIEW and PREVIEW (LAZY)
  // The drafts RFC 8970 grew from, as Dovecot still answers them: FETCH SNIPPET (FUZZY) and
  // PREVIEW (FUZZY), with the same text as PREVIEW (protocol/fetch-items.ts, fetch-render.ts).
  { name: 'SNIPPET=FUZZY' },
  { name: 'PREVIEW=FUZZY' },
  { name: 'MULTIAPPEND' }, // RFC 3502: several messages in one atomic APPEND
  { name: 'CATENATE' }, // RFC 4469: APPEND ... CATENATE (TEXT literal / URL imap-url)
  { name: 'URL-PARTIAL' }, // RFC 5550: ;PARTIAL= in the IMAP URLs CATENATE takes
  { name: 'OBJECTID' }, // RFC 8474: MAILBOXID, EMAILID, THREADID
  { name: 'CREATE-SPECIAL-USE' }, // RFC 6154 3: CREATE name (USE (\Sent))
  { name: 'COMPRESS=DEFLATE' }, // RFC 4978
  { name: 'UTF8=ACCEPT' }, // RFC 6855: ENABLE UTF8=ACCEPT, UTF-8 mailbox names, APPEND UTF8
  { name: 'QUOTA' }, // RFC 9208: GETQUOTA, GETQUOTAROOT, [OVERQUOTA]
  { name: 'QUOTA=RES-STORAGE' }, // RFC 9208 5.1: the STORAGE resource (units of 1024 octets)
  { name: 'QUOTA=RES-MESSAGE' }, // RFC 9208 5.2: the MESSAGE resource (messages in all mailboxes)
  { name: 'STATUS=SIZE' }, // RFC 8438: STATUS (SIZE)
  { name: 'NOTIFY' }, // RFC 5465: NOTIFY SET/NONE, STATUS and LIST notifications (docs/adr/0029)
  { name: 'STARTTLS', when: (ctx) => beforeAuth(ctx) && ctx.tlsAvailable && !ctx.secure }, // RFC 3501 6.2.1
  { name: 'LOGINDISABLED', when: (ctx) => beforeAuth(ctx) && !isPlaintextAuthAllowed(ctx) }, // RFC 3501 6.2.3
  { name: 'AUTH=PLAIN', when: (ctx) => beforeAuth(ctx) && isPlaintextAuthAllowed(ctx) }, // RFC 4616
  { name: 'AUTH=LOGIN', when: (ctx) => beforeAuth(ctx) && isPlaintextAuthAllowed(ctx) }, // draft-murchison-sasl-login
];

export function capabilityList(ctx: CapabilityContext): string[] {
  return CAPABILITIES.filter((entry) => entry.when === undefined || entry.when(ctx)).map(
    (entry) => entry.name,
  );
}

/** RFC 3501 6.2.3 / RFC 8314: production refuses plaintext passwords on an unencrypted connection. */
export function isPlaintextAuthAllowed(ctx: Pick<CapabilityContext, 'secure' | 'profile'>): boolean {
  return ctx.secure || ctx.profile === 'dev';
}
