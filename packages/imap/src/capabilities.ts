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
}

interface CapabilityEntry {
  name: string;
  /** Advertised only when this returns true; always when absent. */
  when?: (ctx: CapabilityContext) => boolean;
}

const beforeAuth = (ctx: CapabilityContext): boolean => ctx.state === 'notAuthenticated';

export const CAPABILITIES: readonly CapabilityEntry[] = [
  { name: 'IMAP4rev1' }, // RFC 3501
  { name: 'LITERAL+' }, // RFC 7888: non-synchronizing literals
  { name: 'SASL-IR' }, // RFC 4959: initial response on the AUTHENTICATE line
  { name: 'ID' }, // RFC 2971
  { name: 'ENABLE' }, // RFC 5161
  { name: 'IDLE' }, // RFC 2177
  { name: 'NAMESPACE' }, // RFC 2342
  { name: 'UNSELECT' }, // RFC 3691
  { name: 'UIDPLUS' }, // RFC 4315: APPENDUID, COPYUID, UID EXPUNGE
  { name: 'MOVE' }, // RFC 6851
  { name: 'CONDSTORE' }, // RFC 7162 3.1: MODSEQ, CHANGEDSINCE, UNCHANGEDSINCE, HIGHESTMODSEQ
  { name: 'ESEARCH' }, // RFC 4731: SEARCH RETURN (MIN MAX ALL COUNT), * ESEARCH
  { name: 'SEARCHRES' }, // RFC 5182: RETURN (SAVE) and `$`
  { name: 'WITHIN' }, // RFC 5032: SEARCH OLDER / YOUNGER
  { name: 'SORT' }, // RFC 5256 3: SORT and UID SORT
  { name: 'SORT=DISPLAY' }, // RFC 5957: DISPLAYFROM, DISPLAYTO
  { name: 'I18NLEVEL=1' }, // RFC 5255 4: i;unicode-casemap (RFC 5051) for SORT's strings
  { name: 'SAVEDATE' }, // RFC 8514: FETCH SAVEDATE, SEARCH SAVEDBEFORE/SAVEDON/SAVEDSINCE/SAVEDATESUPPORTED
  { name: 'CHILDREN' }, // RFC 3348: \HasChildren / \HasNoChildren
  { name: 'LIST-EXTENDED' }, // RFC 5258: selection and RETURN options
  { name: 'SPECIAL-USE' }, // RFC 6154: \Sent, \Trash, ... in LIST
  { name: `APPENDLIMIT=${MAX_APPEND_SIZE}` }, // RFC 7889: the largest APPEND the assembler accepts
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
