import { useEffect, useRef } from 'preact/hooks';

/**
 * Calls `refresh` whenever the server says caught mail changed (GET /api/v1/events, server-sent
 * events: the server pushes, the page never polls). EventSource reconnects by itself after a
 * drop, and a reconnect refreshes too, since changes may have been missed meanwhile.
 */
export function useLiveUpdates(refresh: () => unknown): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    const source = new EventSource('/api/v1/events');
    let opened = false;
    source.addEventListener('changed', () => void latest.current());
    source.addEventListener('open', () => {
      if (opened) void latest.current();
      opened = true;
    });
    return () => source.close();
  }, []);
}
