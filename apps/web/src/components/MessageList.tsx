import { useEffect, useRef } from 'preact/hooks';
import type { MessagesSummary } from '../api.js';
import { size, when, who } from '../format.js';
import { PaperclipIcon } from './icons.js';

interface Props {
  page: MessagesSummary | null;
  start: number;
  pageSize: number;
  cursor: number;
  openId: string | null;
  selected: Set<string>;
  onOpen(id: string): void;
  onSelect(id: string, on: boolean): void;
  onSelectAll(on: boolean): void;
  onPage(start: number): void;
}

export function MessageList(props: Props) {
  const { page, start, pageSize } = props;
  const messages = page?.messages ?? [];
  const total = page?.messages_count ?? 0;
  const listRef = useRef<HTMLUListElement>(null);
  useEffect(() => {
    listRef.current
      ?.querySelector<HTMLElement>(`[data-index="${props.cursor}"]`)
      ?.scrollIntoView({ block: 'nearest' });
  }, [props.cursor]);
  return (
    <section class="list" aria-label="messages">
      <div class="list-head">
        <label>
          <input
            type="checkbox"
            aria-label="Select all on this page"
            checked={messages.length > 0 && messages.every((m) => props.selected.has(m.ID))}
            onChange={(event) => props.onSelectAll((event.target as HTMLInputElement).checked)}
          />
        </label>
        <span class="range">
          {total === 0 ? '0' : `${start + 1}–${Math.min(start + pageSize, total)}`} of {total}
        </span>
        <button
          type="button"
          aria-label="Newer"
          disabled={start === 0}
          onClick={() => props.onPage(Math.max(0, start - pageSize))}
        >
          ‹
        </button>
        <button
          type="button"
          aria-label="Older"
          disabled={start + pageSize >= total}
          onClick={() => props.onPage(start + pageSize)}
        >
          ›
        </button>
      </div>
      <ul ref={listRef} role="listbox" aria-label="caught mail">
        {messages.map((m, i) => (
          <li
            key={m.ID}
            data-id={m.ID}
            data-index={i}
            role="option"
            aria-selected={m.ID === props.openId}
            class={`row${m.Read ? '' : ' unread'}${i === props.cursor ? ' cursor' : ''}${m.ID === props.openId ? ' open' : ''}`}
            onClick={() => props.onOpen(m.ID)}
          >
            <input
              type="checkbox"
              aria-label={`Select ${m.Subject}`}
              checked={props.selected.has(m.ID)}
              onClick={(event) => event.stopPropagation()}
              onChange={(event) => props.onSelect(m.ID, (event.target as HTMLInputElement).checked)}
            />
            <div class="row-main">
              <div class="row-top">
                <span class="from">{who(m.From)}</span>
                <time dateTime={m.Created} title={new Date(m.Created).toLocaleString()}>
                  {when(m.Created)}
                </time>
              </div>
              <div class="subject">
                {m.Attachments > 0 && (
                  <span class="clip" title={`${m.Attachments} attachment(s)`} aria-label="has attachments">
                    <PaperclipIcon />
                  </span>
                )}
                {m.Subject === '' ? '(no subject)' : m.Subject}
              </div>
              <div class="row-bottom">
                <span class="to" title={m.Recipients.join(', ')}>
                  to{' '}
                  {m.Recipients.length > 2
                    ? `${m.Recipients.slice(0, 2).join(', ')} +${m.Recipients.length - 2}`
                    : m.Recipients.join(', ')}
                </span>
                {m.Tags.map((tag) => (
                  <span key={tag} class="tag">
                    {tag}
                  </span>
                ))}
                <span class="size">{size(m.Size)}</span>
              </div>
              <div class="snippet">{m.Snippet}</div>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
