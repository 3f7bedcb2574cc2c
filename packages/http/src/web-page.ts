/**
 * The dev profile's web page at `/`: a list of caught messages and one message opened, built on
 * the JSON API with plain DOM calls (no build step, no framework). Message data only ever goes
 * in through textContent or a sandboxed iframe's srcdoc, never innerHTML, and the Content-Security-
 * Policy allows our own script and nothing remote, so a caught message cannot script the page.
 */
export const WEB_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'";

export const WEB_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>minimail: caught mail</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: minmax(320px, 40%) 1fr; height: 100vh; }
  header { grid-column: 1 / -1; padding: 8px 12px; background: #234; color: #fff; display: flex; gap: 12px; align-items: center; }
  header h1 { font-size: 16px; margin: 0; flex: 1; }
  #list { overflow: auto; border-right: 1px solid #ccc; }
  #list div { padding: 6px 12px; border-bottom: 1px solid #eee; cursor: pointer; }
  #list div:hover, #list div.open { background: #eef4ff; }
  #list small { color: #666; display: block; }
  #view { overflow: auto; padding: 12px; }
  #view pre { white-space: pre-wrap; background: #f7f7f7; padding: 8px; }
  #view iframe { width: 100%; height: 60vh; border: 1px solid #ccc; }
  table { border-collapse: collapse; } td { padding: 2px 8px 2px 0; vertical-align: top; }
</style>
</head>
<body>
<header><h1>minimail: caught mail</h1><span id="count"></span><button id="clear">Delete all</button></header>
<section id="list" aria-label="messages"></section>
<section id="view" aria-label="message"><p>Select a message.</p></section>
<script src="/app.js"></script>
</body>
</html>
`;

export const WEB_PAGE_SCRIPT = `'use strict';
const list = document.getElementById('list');
const view = document.getElementById('view');
let openId = null;
let shown = '';

function el(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

async function refresh() {
  const response = await fetch('/api/messages');
  const { messages } = await response.json();
  const key = messages.map((m) => m.id).join(',');
  document.getElementById('count').textContent = messages.length + ' message(s)';
  if (key === shown) return;
  shown = key;
  list.replaceChildren(...messages.map((m) => {
    const row = el('div');
    row.append(el('strong', m.subject || '(no subject)'), el('small', 'to ' + m.owner + ' from ' + (m.from || '?')), el('small', new Date(m.date).toLocaleString() + ', ' + m.size + ' bytes'));
    if (m.id === openId) row.className = 'open';
    row.onclick = () => show(m.id);
    return row;
  }));
}

async function show(id) {
  openId = id;
  shown = '';
  const response = await fetch('/api/messages/' + encodeURIComponent(id));
  if (!response.ok) { view.replaceChildren(el('p', 'Message gone.')); return refresh(); }
  const m = await response.json();
  const headers = el('table');
  for (const h of m.headers) { const tr = el('tr'); tr.append(el('td', h.name), el('td', h.value)); headers.append(tr); }
  const raw = el('a', 'raw message'); raw.href = '/api/messages/' + encodeURIComponent(id) + '/raw';
  const remove = el('button', 'Delete');
  remove.onclick = async () => { await fetch('/api/messages/' + encodeURIComponent(id), { method: 'DELETE' }); view.replaceChildren(el('p', 'Deleted.')); openId = null; refresh(); };
  const parts = [el('h2', m.subject || '(no subject)'), headers, raw, document.createTextNode(' '), remove];
  if (m.html !== null) { const frame = el('iframe'); frame.setAttribute('sandbox', ''); frame.srcdoc = m.html; parts.push(el('h3', 'HTML'), frame); }
  if (m.text !== null) parts.push(el('h3', 'Text'), el('pre', m.text));
  if (m.attachments.length > 0) parts.push(el('h3', 'Attachments'), el('pre', m.attachments.map((a) => (a.filename || '(unnamed)') + '  ' + a.contentType + '  ' + a.size + ' bytes').join('\\n')));
  view.replaceChildren(...parts);
  refresh();
}

document.getElementById('clear').onclick = async () => {
  await fetch('/api/messages', { method: 'DELETE' });
  view.replaceChildren(el('p', 'Select a message.'));
  openId = null;
  refresh();
};
refresh();
setInterval(refresh, 2000);
`;
