import { useEffect, useState } from 'preact/hooks';
import { api, type Attachment, type HtmlCheck, type LinkCheck, type Message } from '../api.js';
import { fullAddress, size, URL_PATTERN } from '../format.js';
import { FileIcon } from './icons.js';
import { Journey } from './Journey.js';

type Tab = 'html' | 'text' | 'headers' | 'source' | 'parts' | 'checks' | 'journey';
type Width = 'mobile' | 'tablet' | 'desktop';

interface Props {
  id: string;
  knownTags: string[];
  onBack(): void;
  onChanged(): unknown;
  onDelete(): void;
}

/** Remote images or styles the HTML would load (blocked until the user allows them). */
const REMOTE = /<img[^>]+src\s*=\s*["']?https?:|url\(\s*["']?https?:/i;

export function MessageView({ id, knownTags, onBack, onChanged, onDelete }: Props) {
  const [message, setMessage] = useState<Message | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('html');
  const [width, setWidth] = useState<Width>('desktop');
  const [remote, setRemote] = useState(false);

  useEffect(() => {
    api.message(id).then(
      (m) => {
        setMessage(m);
        // `?message=ID&tab=journey` (the URL `minimail demo` prints) opens the Journey tab.
        const asked = new URLSearchParams(location.search).get('tab');
        setTab(asked === 'journey' ? 'journey' : m.HTML !== '' ? 'html' : 'text');
        // Opening marks it read (as Mailpit does): the list should say so.
        void onChanged();
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [id]);

  if (error !== null)
    return (
      <section class="viewer">
        <p class="error">{error}</p>
      </section>
    );
  if (message === null)
    return (
      <section class="viewer">
        <p class="muted">Loading…</p>
      </section>
    );

  const tabs: Array<[Tab, string]> = [
    ['html', 'HTML'],
    ['text', 'Text'],
    ['headers', 'Headers'],
    ['source', 'Source'],
    ['parts', `Parts (${message.Attachments.length + message.Inline.length})`],
    ['checks', 'Checks'],
    ['journey', 'Journey'],
  ];
  return (
    <section class="viewer" aria-label="message">
      <div class="message-head">
        <button type="button" class="back" onClick={onBack} aria-label="Back to the list">
          ‹ Back
        </button>
        <h2 class="message-subject">{message.Subject === '' ? '(no subject)' : message.Subject}</h2>
        <dl class="meta">
          <dt>From</dt>
          <dd>{fullAddress(message.From)}</dd>
          <dt>To</dt>
          <dd>{message.To.map(fullAddress).join(', ') || '—'}</dd>
          {message.Cc.length > 0 && (
            <>
              <dt>Cc</dt>
              <dd>{message.Cc.map(fullAddress).join(', ')}</dd>
            </>
          )}
          <dt>Delivered to</dt>
          <dd>{message.Recipients.join(', ')}</dd>
          <dt>Date</dt>
          <dd>{new Date(message.Date).toLocaleString()}</dd>
        </dl>
        <TagEditor
          id={id}
          tags={message.Tags}
          knownTags={knownTags}
          onSaved={(tags) => {
            setMessage({ ...message, Tags: tags });
            void onChanged();
          }}
        />
        <div class="message-actions">
          <button
            type="button"
            onClick={async () => {
              await api.setRead([id], false);
              await onChanged();
            }}
          >
            Mark unread
          </button>
          <a class="button" href={`/api/v1/message/${encodeURIComponent(id)}/raw`} download={`${id}.eml`}>
            Download .eml
          </a>
          <button type="button" class="danger" onClick={onDelete}>
            Delete
          </button>
        </div>
      </div>
      <nav class="tabs" role="tablist">
        {tabs.map(([key, label]) => (
          <button
            key={key}
            type="button"
            role="tab"
            aria-selected={tab === key}
            data-tab={key}
            disabled={key === 'html' && message.HTML === ''}
            onClick={() => setTab(key)}
          >
            {label}
          </button>
        ))}
      </nav>
      <div class="tab-body">
        {tab === 'html' && (
          <div class="html-tab">
            <div class="html-tools">
              {(['mobile', 'tablet', 'desktop'] as Width[]).map((w) => (
                <button key={w} type="button" aria-pressed={width === w} onClick={() => setWidth(w)}>
                  {w === 'mobile' ? 'Phone 375' : w === 'tablet' ? 'Tablet 768' : 'Desktop'}
                </button>
              ))}
              {REMOTE.test(message.HTML) && !remote && (
                <button type="button" class="warn" onClick={() => setRemote(true)}>
                  Remote images blocked: show them
                </button>
              )}
            </div>
            <div class={`frame-wrap ${width}`}>
              {/* No allow-scripts, no allow-same-origin: the mail runs nothing and reaches nothing of ours.
                  Popups may escape the sandbox so a clicked link opens as a normal new tab. */}
              <iframe
                title="HTML body"
                class="html-frame"
                sandbox="allow-popups allow-popups-to-escape-sandbox"
                referrerpolicy="no-referrer"
                src={api.viewUrl(id, remote)}
              />
            </div>
          </div>
        )}
        {tab === 'text' && <TextBody text={message.Text} />}
        {tab === 'headers' && <Headers id={id} />}
        {tab === 'source' && <Source id={id} />}
        {tab === 'parts' && <Parts id={id} parts={[...message.Attachments, ...message.Inline]} />}
        {tab === 'checks' && <Checks id={id} hasHtml={message.HTML !== ''} />}
        {tab === 'journey' && <Journey id={id} />}
      </div>
    </section>
  );
}

function TextBody({ text }: { text: string }) {
  if (text === '') return <p class="muted">This message has no text part.</p>;
  const pieces: Array<string | { url: string }> = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    pieces.push(text.slice(last, match.index), { url: match[0] });
    last = (match.index ?? 0) + match[0].length;
  }
  pieces.push(text.slice(last));
  return (
    <pre class="text-body">
      {pieces.map((piece, i) =>
        typeof piece === 'string' ? (
          piece
        ) : (
          <a key={i} href={piece.url} target="_blank" rel="noopener noreferrer">
            {piece.url}
          </a>
        ),
      )}
    </pre>
  );
}

function Headers({ id }: { id: string }) {
  const [headers, setHeaders] = useState<Record<string, string[]> | null>(null);
  useEffect(() => void api.headers(id).then(setHeaders), [id]);
  if (headers === null) return <p class="muted">Loading…</p>;
  return (
    <table class="headers">
      <tbody>
        {Object.entries(headers).flatMap(([name, values]) =>
          values.map((value, i) => (
            <tr key={`${name}-${i}`}>
              <th scope="row">{name}</th>
              <td>{value}</td>
            </tr>
          )),
        )}
      </tbody>
    </table>
  );
}

/** The source with the header's field names and the MIME boundaries picked out. */
function Source({ id }: { id: string }) {
  const [raw, setRaw] = useState<string | null>(null);
  useEffect(() => void api.raw(id).then(setRaw), [id]);
  if (raw === null) return <p class="muted">Loading…</p>;
  const lines = raw.split(/\r?\n/);
  let inHeader = true;
  return (
    <pre class="source">
      {lines.map((line, i) => {
        if (line === '') inHeader = false;
        const field = /^([!-9;-~]+):(.*)$/.exec(line);
        let content;
        if (field && (inHeader || /^content-/i.test(field[1]!))) {
          content = (
            <>
              <span class="hl-name">{field[1]}:</span>
              <span class="hl-value">{field[2]}</span>
            </>
          );
          if (/^content-/i.test(field[1]!)) inHeader = true;
        } else if (/^--\S+$/.test(line)) {
          content = <span class="hl-boundary">{line}</span>;
        } else {
          content = /^\s/.test(line) && inHeader ? <span class="hl-value">{line}</span> : line;
        }
        return (
          <span key={i} class="line">
            {content}
            {'\n'}
          </span>
        );
      })}
    </pre>
  );
}

function Parts({ id, parts }: { id: string; parts: Attachment[] }) {
  if (parts.length === 0) return <p class="muted">No attachments or inline parts.</p>;
  return (
    <ul class="parts">
      {parts.map((part) => (
        <li key={part.PartID} class="part">
          {part.ContentType.startsWith('image/') ? (
            <img class="thumb" src={api.partUrl(id, part.PartID)} alt={part.FileName} loading="lazy" />
          ) : (
            <span class="thumb icon" aria-hidden="true">
              <FileIcon />
            </span>
          )}
          <div>
            <a href={api.partUrl(id, part.PartID, true)} download={part.FileName || `part-${part.PartID}`}>
              {part.FileName || `part ${part.PartID}`}
            </a>
            <div class="muted">
              {part.ContentType} · {size(part.Size)} · part {part.PartID}
              {part.ContentID !== '' && ` · cid:${part.ContentID}`}
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}

function Checks({ id, hasHtml }: { id: string; hasHtml: boolean }) {
  const [links, setLinks] = useState<LinkCheck | null | 'loading'>(null);
  const [html, setHtml] = useState<HtmlCheck | null | 'loading' | string>(null);
  return (
    <div class="checks">
      <section>
        <h3>Links</h3>
        <button
          type="button"
          onClick={async () => {
            setLinks('loading');
            setLinks(await api.linkCheck(id));
          }}
        >
          Check links
        </button>
        {links === 'loading' && <p class="muted">Checking…</p>}
        {links !== null && links !== 'loading' && (
          <table class="headers">
            <tbody>
              {links.Links.map((link) => (
                <tr key={link.URL} class={link.StatusCode >= 400 || link.StatusCode === 0 ? 'bad' : 'good'}>
                  <th scope="row">{link.StatusCode || '—'}</th>
                  <td>
                    {link.URL} <span class="muted">{link.Status}</span>
                  </td>
                </tr>
              ))}
              {links.Links.length === 0 && (
                <tr>
                  <td>No links.</td>
                </tr>
              )}
            </tbody>
          </table>
        )}
      </section>
      <section>
        <h3>HTML compatibility</h3>
        <button
          type="button"
          disabled={!hasHtml}
          onClick={async () => {
            setHtml('loading');
            try {
              setHtml(await api.htmlCheck(id));
            } catch (e) {
              setHtml(e instanceof Error ? e.message : String(e));
            }
          }}
        >
          Check HTML and CSS support
        </button>
        {html === 'loading' && <p class="muted">Checking…</p>}
        {typeof html === 'string' && html !== 'loading' && <p class="error">{html}</p>}
        {html !== null && typeof html === 'object' && (
          <>
            <p>
              {html.Total.Supported} of {html.Total.Clients} mail clients support everything used;{' '}
              {html.Total.Unsupported} lack something, {html.Total.Partial} only partly (data: caniemail.com,
              shipped with minimail).
            </p>
            <ul class="compat">
              {html.Warnings.map((w) => (
                <li key={w.Title}>
                  <strong>{w.Title}</strong> <span class="muted">({w.Category})</span>: unsupported in{' '}
                  {w.Score.Unsupported}, partly in {w.Score.Partial} of {html.Total.Clients} clients
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </div>
  );
}

function TagEditor(props: {
  id: string;
  tags: string[];
  knownTags: string[];
  onSaved(tags: string[]): void;
}) {
  const [text, setText] = useState('');
  const save = async (tags: string[]) => {
    await api.setTags([props.id], tags);
    props.onSaved(tags);
  };
  return (
    <div class="tag-editor">
      {props.tags.map((tag) => (
        <span key={tag} class="tag">
          {tag}
          <button
            type="button"
            aria-label={`Remove tag ${tag}`}
            onClick={() => void save(props.tags.filter((t) => t !== tag))}
          >
            ×
          </button>
        </span>
      ))}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const tag = text.trim();
          if (tag !== '' && !props.tags.includes(tag)) void save([...props.tags, tag]);
          setText('');
        }}
      >
        <input
          list="known-tags"
          aria-label="Add tag"
          placeholder="add tag"
          value={text}
          onInput={(event) => setText((event.target as HTMLInputElement).value)}
        />
        <datalist id="known-tags">
          {props.knownTags.map((tag) => (
            <option key={tag} value={tag} />
          ))}
        </datalist>
      </form>
    </div>
  );
}
