import { useEffect, useState } from 'preact/hooks';
import { api, type Journey, type Protocol, type SessionTranscript } from '../api.js';

/** The three columns: the send side, then the two receive sides. */
const COLUMNS: Array<{ title: string; protocols: Protocol[] }> = [
  { title: 'SMTP (send)', protocols: ['smtp', 'submission'] },
  { title: 'POP3 (receive)', protocols: ['pop3'] },
  { title: 'IMAP (receive)', protocols: ['imap'] },
];

interface Row {
  at: number;
  column: number;
  text: string;
  moved: boolean;
}

/**
 * The journey's conversations side by side (issue 16): one column per protocol, every line in the
 * order it was said across all of them, the lines that moved the message highlighted.
 */
export function SideBySide({ journey }: { journey: Journey }) {
  const [rows, setRows] = useState<Row[] | null>(null);
  useEffect(() => {
    void Promise.all(journey.steps.map((step) => api.session(step.session.id))).then(
      (sessions: SessionTranscript[]) => {
        const all: Row[] = [];
        sessions.forEach((session, index) => {
          const column = COLUMNS.findIndex((c) => c.protocols.includes(session.protocol));
          const moved = new Set(journey.steps[index]!.links.map((link) => link.line));
          session.lines.forEach((line, n) =>
            all.push({
              at: line.at,
              column,
              text: `${line.dir === '-' ? '' : `${line.dir}: `}${line.text}`,
              moved: moved.has(n),
            }),
          );
        });
        // Stable: lines of one session keep their order when they share a millisecond.
        setRows(
          all
            .map((row, i) => ({ row, i }))
            .sort((a, b) => a.row.at - b.row.at || a.i - b.i)
            .map((x) => x.row),
        );
      },
      () => setRows([]),
    );
  }, [journey]);
  if (rows === null) return <p class="muted">Loading…</p>;
  return (
    <table class="side-by-side">
      <thead>
        <tr>
          <th>time</th>
          {COLUMNS.map((c) => (
            <th key={c.title}>{c.title}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i} class={row.moved ? 'moved' : ''} data-column={row.column}>
            <td class="muted">{new Date(row.at).toISOString().slice(11, 23)}</td>
            {COLUMNS.map((_, column) => (
              <td key={column}>{column === row.column ? <code>{row.text}</code> : null}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
