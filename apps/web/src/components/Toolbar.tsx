import type { RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { MessagesSummary, Recipient } from '../api.js';

interface Props {
  query: string;
  searchRef: RefObject<HTMLInputElement | null>;
  onSearch(query: string): void;
  recipients: Recipient[];
  recipient: string | undefined;
  onRecipient(recipient: string | undefined): void;
  page: MessagesSummary | null;
  selected: Set<string>;
  onMarkRead(read: boolean): void;
  onDeleteSelected(): void;
  onDeleteMatching(): void;
  notify: boolean;
  onNotify(): void;
  onVacation(): void;
}

export function Toolbar(props: Props) {
  const [text, setText] = useState(props.query);
  useEffect(() => setText(props.query), [props.query]);
  const { page } = props;
  return (
    <header class="toolbar">
      <h1 class="brand">minimail</h1>
      <a class="sessions-link" href="/?sessions" title="Every SMTP, POP3 and IMAP conversation, live">
        Sessions
      </a>
      <form
        class="search"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          props.onSearch(text);
        }}
      >
        <input
          ref={props.searchRef}
          type="search"
          name="query"
          aria-label="Search"
          placeholder="Search: words, from:, to:, subject:, is:unread, has:attachment, tag:, before:…"
          value={text}
          onInput={(event) => setText((event.target as HTMLInputElement).value)}
        />
        <button type="submit">Search</button>
        {props.query !== '' && (
          <button type="button" class="quiet" onClick={() => props.onSearch('')}>
            Clear
          </button>
        )}
      </form>
      <label class="picker">
        <span class="sr-only">Recipient</span>
        <select
          aria-label="Recipient"
          value={props.recipient ?? ''}
          onChange={(event) => {
            const value = (event.target as HTMLSelectElement).value;
            props.onRecipient(value === '' ? undefined : value);
          }}
        >
          <option value="">All recipients</option>
          {props.recipients.map((r) => {
            const inbox = r.Mailboxes.find((m) => m.Name === 'INBOX');
            return (
              <option key={r.Address} value={r.Address}>
                {r.Address} ({inbox?.Messages ?? 0})
              </option>
            );
          })}
        </select>
      </label>
      {props.recipient !== undefined && (
        <button type="button" class="quiet" data-action="vacation" onClick={props.onVacation}>
          Vacation reply
        </button>
      )}
      <div class="actions">
        <span class="count" aria-live="polite">
          {page === null
            ? '…'
            : props.query === ''
              ? `${page.total} messages, ${page.unread} unread`
              : `${page.messages_count} of ${page.total} match`}
        </span>
        {props.selected.size > 0 && (
          <>
            <button type="button" onClick={() => props.onMarkRead(true)}>
              Mark read
            </button>
            <button type="button" onClick={() => props.onMarkRead(false)}>
              Mark unread
            </button>
            <button type="button" class="danger" onClick={props.onDeleteSelected}>
              Delete {props.selected.size}
            </button>
          </>
        )}
        <button type="button" class="danger" data-action="delete-matching" onClick={props.onDeleteMatching}>
          {props.query === '' ? 'Delete all' : 'Delete all matching'}
        </button>
        {'Notification' in window && (
          <button type="button" class="quiet" aria-pressed={props.notify} onClick={props.onNotify}>
            {props.notify ? 'Notifications on' : 'Notify me'}
          </button>
        )}
        <a class="quiet link" href="/api/v1/docs" target="_blank" rel="noopener">
          API
        </a>
      </div>
    </header>
  );
}
