import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type SessionFilter, type SessionSummary } from '../api.js';
import { Transcript } from './Transcript.js';

/**
 * The live Sessions view (issue 16): every recorded conversation, newest first, filterable by
 * protocol, address and client IP; new sessions and lines are pushed by the server
 * (GET /api/v1/sessions/events), never polled. `?session=ID` shows one full screen.
 */
export function Sessions({ initial }: { initial: string | null }) {
  const [filter, setFilter] = useState<SessionFilter>({});
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [recording, setRecording] = useState(true);
  const [openId, setOpenId] = useState<string | null>(initial);
  const [version, setVersion] = useState(0);
  const line = new URLSearchParams(location.search).get('line');
  const latest = useRef({ filter, openId });
  latest.current = { filter, openId };

  const refresh = (): void => {
    void api.sessions(latest.current.filter).then((answer) => {
      setRecording(answer.recording);
      setSessions(answer.sessions);
    });
  };
  useEffect(refresh, [filter]);
  useEffect(() => {
    const source = new EventSource('/api/v1/sessions/events');
    let pending: ReturnType<typeof setTimeout> | null = null;
    const soon = (): void => {
      pending ??= setTimeout(() => {
        pending = null;
        refresh();
        setVersion((v) => v + 1);
      }, 100);
    };
    source.addEventListener('session', soon);
    source.addEventListener('line', (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as { id: string };
      if (data.id === latest.current.openId) soon();
    });
    return () => {
      source.close();
      if (pending !== null) clearTimeout(pending);
    };
  }, []);

  const set = (key: keyof SessionFilter, value: string): void =>
    setFilter({ ...filter, [key]: value === '' ? undefined : value });

  return (
    <div class="app sessions-view">
      <header class="toolbar">
        <a href="/" class="home">
          ‹ Mail
        </a>
        <h1 class="brand">Sessions</h1>
        <select
          aria-label="Protocol"
          value={filter.protocol ?? ''}
          onChange={(e) => set('protocol', e.currentTarget.value)}
        >
          <option value="">All protocols</option>
          <option value="smtp">SMTP</option>
          <option value="submission">Submission</option>
          <option value="pop3">POP3</option>
          <option value="imap">IMAP</option>
        </select>
        <input
          type="search"
          aria-label="Address"
          placeholder="Address"
          onInput={(e) => set('address', e.currentTarget.value)}
        />
        <input
          type="search"
          aria-label="Client IP"
          placeholder="Client IP"
          onInput={(e) => set('ip', e.currentTarget.value)}
        />
      </header>
      {!recording && <p class="muted">Recording is off (MINIMAIL_RECORD_SESSIONS).</p>}
      <main class={`panes ${openId === null ? '' : 'session-open'}`}>
        <ul class="session-list" aria-label="sessions">
          {(sessions ?? []).map((s) => (
            <li
              key={s.id}
              class={`session-row${s.id === openId ? ' open' : ''}`}
              data-session={s.id}
              data-protocol={s.protocol}
              onClick={() => setOpenId(s.id)}
            >
              <span class={`proto proto-${s.protocol}`}>{s.protocol.toUpperCase()}</span>{' '}
              <span class="who">{s.user ?? s.addresses[0] ?? '(no login)'}</span>{' '}
              <span class="muted">
                {s.remoteIp} · {new Date(s.startedAt).toLocaleTimeString()} · {s.lineCount} lines
                {s.endedAt === null ? ' · live' : ''}
              </span>
            </li>
          ))}
          {sessions !== null && sessions.length === 0 && <li class="muted">No sessions yet.</li>}
        </ul>
        <section class="viewer" aria-label="session">
          {openId === null ? (
            <p class="muted">Select a session.</p>
          ) : (
            <Transcript id={openId} version={version} line={line === null ? undefined : Number(line)} />
          )}
        </section>
      </main>
    </div>
  );
}
