import { useEffect, useRef, useState } from 'preact/hooks';
import {
  api,
  type Annotation,
  type Annotations,
  type Protocol,
  type SessionTranscript,
  type TranscriptLine,
} from '../api.js';

let annotationsOnce: Promise<Annotations> | null = null;

/** The annotation tables (GET /api/v1/annotations), fetched once per page. */
export function useAnnotations(): Annotations | null {
  const [annotations, setAnnotations] = useState<Annotations | null>(null);
  useEffect(() => {
    annotationsOnce ??= api.annotations();
    void annotationsOnce.then(setAnnotations, () => setAnnotations(null));
  }, []);
  return annotations;
}

/**
 * The entry explaining a line: a client line by its command (after the tag in IMAP), a server
 * line by its reply code (SMTP digits, POP3 +OK/-ERR, IMAP status or untagged data name).
 */
export function annotationFor(
  annotations: Annotations | null,
  protocol: Protocol,
  line: TranscriptLine,
): Annotation | null {
  if (annotations === null || line.dir === '-') return null;
  const table = annotations[protocol];
  const words = line.text.split(' ');
  if (line.dir === 'C') {
    const word = (protocol === 'imap' ? (words[1] ?? words[0]) : words[0]) ?? '';
    const name = word.split(':')[0]!.toUpperCase();
    return table.commands[name] ?? null;
  }
  if (protocol === 'smtp' || protocol === 'submission') return table.replies[line.text.slice(0, 3)] ?? null;
  if (protocol === 'pop3') return table.replies[words[0] ?? ''] ?? null;
  // IMAP: "+ ...", "tag OK ...", "* OK ...", "* 3 EXISTS", "* CAPABILITY ...".
  if (words[0] === '+') return table.replies['+'] ?? null;
  const second = words[1] ?? '';
  if (/^\d+$/.test(second)) return table.replies[(words[2] ?? '').toUpperCase()] ?? null;
  return table.replies[second.toUpperCase()] ?? null;
}

const time = (ms: number): string => new Date(ms).toISOString().slice(11, 23);

interface Props {
  id: string;
  /** The line to scroll to and highlight (a journey step). */
  line?: number | undefined;
  /** Lines that moved the message (highlighted). */
  marks?: ReadonlySet<number>;
  /** Re-read the transcript when this changes (live view). */
  version?: number;
}

/** One session's transcript, each line with its time and what it means. */
export function Transcript({ id, line, marks, version = 0 }: Props) {
  const [session, setSession] = useState<SessionTranscript | null>(null);
  const [error, setError] = useState<string | null>(null);
  const annotations = useAnnotations();
  const target = useRef<HTMLLIElement | null>(null);
  useEffect(() => {
    api.session(id).then(setSession, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [id, version]);
  useEffect(() => {
    target.current?.scrollIntoView({ block: 'center' });
  }, [session === null, line]);
  if (error !== null) return <p class="error">{error}</p>;
  if (session === null) return <p class="muted">Loading…</p>;
  return (
    <div class="transcript" data-session={session.id}>
      <p class="transcript-head">
        <span class={`proto proto-${session.protocol}`}>{session.protocol.toUpperCase()}</span>{' '}
        {session.user ?? '(no login)'} from {session.remoteIp}
        {session.tls ? ' · TLS' : ''} · {session.endedAt === null ? 'open' : 'ended'} ·{' '}
        <a href={api.transcriptUrl(session.id)} download>
          Download as text
        </a>{' '}
        · <a href={`/?session=${encodeURIComponent(session.id)}`}>Full screen</a>
      </p>
      <ol class="lines">
        {session.lines.map((l, index) => {
          const note = annotationFor(annotations, session.protocol, l);
          const current = index === line;
          return (
            <li
              key={index}
              {...(current ? { ref: target } : {})}
              class={`line dir-${l.dir === '-' ? 'note' : l.dir}${current ? ' current' : ''}${marks?.has(index) ? ' moved' : ''}`}
              data-line={index}
            >
              <time>{time(l.at)}</time>
              <code>
                {l.dir === '-' ? '' : `${l.dir}: `}
                {l.text}
              </code>
              {note !== null && (
                <span class="annotation">
                  {note.text} <cite>{note.rfc}</cite>
                </span>
              )}
            </li>
          );
        })}
      </ol>
      {session.droppedLines > 0 && <p class="muted">{session.droppedLines} later lines not kept.</p>}
    </div>
  );
}
