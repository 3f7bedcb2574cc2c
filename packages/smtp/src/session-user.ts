import type { SMTPServerSession } from 'smtp-server';

/** What a successful AUTH stores in `session.user` (smtp-server types it as `any`). */
export interface AuthenticatedUser {
  id: number;
  address: string;
}

/** The logged-in user of a session, or null; checks the shape instead of trusting `any`. */
export function sessionUser(session: SMTPServerSession): AuthenticatedUser | null {
  const user: unknown = session.user;
  if (typeof user !== 'object' || user === null) return null;
  if (!('id' in user) || !('address' in user)) return null;
  const { id, address } = user;
  return typeof id === 'number' && typeof address === 'string' ? { id, address } : null;
}
