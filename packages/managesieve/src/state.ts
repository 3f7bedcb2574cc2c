/** The session state union (RFC 5804 1.8): before and after AUTHENTICATE, and what each carries. */
import type { User } from '@minimail/store';

export type SessionState = { kind: 'anonymous' } | { kind: 'authenticated'; user: User };
export type StateKind = SessionState['kind'];
