/** Icons as inline SVG (no icon font, no emoji font needed, nothing fetched). */
export function PaperclipIcon() {
  return (
    <svg class="icon-svg" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M21 11.5l-8.5 8.5a5 5 0 0 1-7-7L14 4.5a3.5 3.5 0 0 1 5 5L10.5 18a2 2 0 0 1-3-3L15 7.5" />
    </svg>
  );
}

export function FileIcon() {
  return (
    <svg class="icon-svg" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9z" />
      <path d="M14 3v6h6" />
    </svg>
  );
}
