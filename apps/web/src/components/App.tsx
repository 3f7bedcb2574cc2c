import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, type MessagesSummary, type Recipient } from '../api.js';
import { useLiveUpdates } from '../live.js';
import { MessageList } from './MessageList.js';
import { MessageView } from './MessageView.js';
import { Toolbar } from './Toolbar.js';
import { VacationForm } from './Vacation.js';

export const PAGE_SIZE = 50;

/**
 * The catcher: a toolbar (search, recipient picker, bulk actions), the list of caught mail and the
 * open message. On a narrow screen one pane shows at a time. The list follows the server through
 * server-sent events; nothing polls.
 */
export function App() {
  const [query, setQuery] = useState(new URLSearchParams(location.search).get('q') ?? '');
  const [recipient, setRecipient] = useState<string | undefined>(undefined);
  const [start, setStart] = useState(0);
  const [page, setPage] = useState<MessagesSummary | null>(null);
  const [recipients, setRecipients] = useState<Recipient[]>([]);
  const [openId, setOpenId] = useState<string | null>(new URLSearchParams(location.search).get('message'));
  const [cursor, setCursor] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [notify, setNotify] = useState(false);
  const [vacation, setVacation] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const lastTotal = useRef<number | null>(null);

  const scope = recipient === undefined ? {} : { recipient };
  const refresh = useCallback(async () => {
    try {
      const [next, people] = await Promise.all([api.list(query, start, PAGE_SIZE, scope), api.recipients()]);
      if (notify && lastTotal.current !== null && next.total > lastTotal.current && document.hidden) {
        new Notification('minimail', { body: `${next.total - lastTotal.current} new message(s)` });
      }
      lastTotal.current = next.total;
      setPage(next);
      setRecipients(people);
      setError(null);
      setCursor((c) => Math.min(c, Math.max(next.messages.length - 1, 0)));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [query, start, recipient, notify]);

  useEffect(() => {
    void refresh();
  }, [refresh]);
  useLiveUpdates(refresh);

  const messages = page?.messages ?? [];
  const open = (id: string) => {
    setOpenId(id);
    const at = messages.findIndex((m) => m.ID === id);
    if (at >= 0) setCursor(at);
  };
  const removeIds = async (ids: string[]) => {
    if (ids.length === 0) return;
    await api.remove(ids);
    if (openId !== null && ids.includes(openId)) setOpenId(null);
    setSelected(new Set());
    await refresh();
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (
        target &&
        (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA')
      ) {
        if (event.key === 'Escape') target.blur();
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const current = messages[cursor];
      switch (event.key) {
        case 'j':
        case 'ArrowDown':
          setCursor((c) => Math.min(c + 1, messages.length - 1));
          break;
        case 'k':
        case 'ArrowUp':
          setCursor((c) => Math.max(c - 1, 0));
          break;
        case 'Enter':
        case 'o':
          if (current) open(current.ID);
          break;
        case '/':
          searchRef.current?.focus();
          break;
        case 'Escape':
          setOpenId(null);
          break;
        case 'Delete':
        case '#':
          if (current) void removeIds([openId ?? current.ID]);
          break;
        case 'u':
          if (current) void api.setRead([current.ID], !current.Read).then(refresh);
          break;
        case 'n':
          if (page && start + PAGE_SIZE < page.messages_count) setStart(start + PAGE_SIZE);
          break;
        case 'p':
          setStart(Math.max(0, start - PAGE_SIZE));
          break;
        default:
          return;
      }
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  return (
    <div class={`app ${openId === null ? 'list-mode' : 'message-mode'}`}>
      <Toolbar
        query={query}
        searchRef={searchRef}
        onSearch={(q) => {
          setQuery(q);
          setStart(0);
          setSelected(new Set());
        }}
        recipients={recipients}
        recipient={recipient}
        onRecipient={(r) => {
          setRecipient(r);
          setStart(0);
        }}
        page={page}
        selected={selected}
        onMarkRead={async (read) => {
          await api.setRead([...selected], read);
          await refresh();
        }}
        onDeleteSelected={() => removeIds([...selected])}
        onDeleteMatching={async () => {
          const what = query.trim() === '' ? 'every message' : `every message matching “${query}”`;
          if (!confirm(`Delete ${what}${recipient ? ` for ${recipient}` : ''}?`)) return;
          await api.removeMatching(query, scope);
          setOpenId(null);
          setSelected(new Set());
          await refresh();
        }}
        onVacation={() => setVacation(true)}
        notify={notify}
        onNotify={async () => {
          if (notify) return setNotify(false);
          if ((await Notification.requestPermission()) === 'granted') setNotify(true);
        }}
      />
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {vacation && recipient !== undefined && (
        <VacationForm key={recipient} address={recipient} onClose={() => setVacation(false)} />
      )}
      <main class="panes">
        <MessageList
          page={page}
          start={start}
          pageSize={PAGE_SIZE}
          cursor={cursor}
          openId={openId}
          selected={selected}
          onOpen={open}
          onSelect={(id, on) => {
            const next = new Set(selected);
            if (on) next.add(id);
            else next.delete(id);
            setSelected(next);
          }}
          onSelectAll={(on) => setSelected(on ? new Set(messages.map((m) => m.ID)) : new Set())}
          onPage={setStart}
        />
        {openId !== null ? (
          <MessageView
            key={openId}
            id={openId}
            knownTags={page?.tags ?? []}
            onBack={() => setOpenId(null)}
            onChanged={refresh}
            onDelete={() => removeIds([openId])}
          />
        ) : (
          <section class="viewer empty" aria-label="message">
            <p>
              {messages.length === 0
                ? 'No mail caught yet. Send some to port 1025.'
                : 'Select a message (j/k, Enter).'}
            </p>
          </section>
        )}
      </main>
    </div>
  );
}
