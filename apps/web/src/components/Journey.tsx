import { useEffect, useState } from 'preact/hooks';
import { api, type Journey as JourneyData, type Protocol } from '../api.js';
import { SideBySide } from './SideBySide.js';
import { Transcript } from './Transcript.js';

/** Which side of mail a protocol is: SMTP carries a message in, POP3 and IMAP hand it out. */
const SIDE: Record<Protocol, string> = {
  smtp: 'send side: a server took the message in',
  submission: 'send side: your mail program handed the message in',
  pop3: 'receive side: a mail program downloaded it',
  imap: 'receive side: a mail program read or changed it on the server',
};

const ACTION: Record<string, string> = {
  delivered: 'delivered (stored durably, then 250)',
  appended: 'appended (stored durably, then OK with its APPENDUID)',
  listed: 'listed',
  read: 'read',
  flagged: 'flags changed',
  copied: 'copied',
  moved: 'moved',
  'marked-deleted': 'marked for deletion',
  deleted: 'deleted',
};

/**
 * The Journey tab (issue 16): every session that delivered, read or changed this message, in the
 * order they started; each action opens that session's transcript at the line that did it.
 */
export function Journey({ id }: { id: string }) {
  const [journey, setJourney] = useState<JourneyData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<{ session: string; line: number } | null>(null);
  const [sideBySide, setSideBySide] = useState(false);
  useEffect(() => {
    api.journey(id).then(setJourney, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [id]);
  if (error !== null) return <p class="error">{error}</p>;
  if (journey === null) return <p class="muted">Loading…</p>;
  if (journey.steps.length === 0)
    return (
      <p class="muted">
        No recorded sessions for this message (recording is off, or they were dropped to keep the store within
        its bounds).
      </p>
    );
  return (
    <div class="journey">
      <label class="side-toggle">
        <input
          type="checkbox"
          checked={sideBySide}
          onChange={(e) => setSideBySide(e.currentTarget.checked)}
        />{' '}
        Side by side (SMTP, POP3 and IMAP aligned in time)
      </label>
      {sideBySide && <SideBySide journey={journey} />}
      <ol class="timeline" hidden={sideBySide}>
        {journey.steps.map(({ session, links }) => (
          <li key={session.id} class={`step proto-${session.protocol}`} data-protocol={session.protocol}>
            <div class="step-head">
              <span class={`proto proto-${session.protocol}`}>{session.protocol.toUpperCase()}</span>{' '}
              <time>{new Date(session.startedAt).toLocaleTimeString()}</time> · {session.user ?? '(no login)'}{' '}
              from {session.remoteIp}
              {session.tls ? ' · TLS' : ''}
            </div>
            <p class="muted side">{SIDE[session.protocol]}</p>
            <ul class="actions">
              {links.map((link) => (
                <li key={`${link.line}-${link.action}`}>
                  <button
                    type="button"
                    class="link-button"
                    data-action={link.action}
                    onClick={() => setOpen({ session: session.id, line: link.line })}
                  >
                    {ACTION[link.action] ?? link.action} at line {link.line + 1}
                  </button>
                </li>
              ))}
            </ul>
            {open?.session === session.id && (
              <Transcript id={session.id} line={open.line} marks={new Set(links.map((l) => l.line))} />
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
