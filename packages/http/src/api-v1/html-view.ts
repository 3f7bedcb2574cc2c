import type { MessageParts } from '../catcher/mime-view.js';

/**
 * What a caught HTML message may do when shown: nothing active. No script of any kind (the web
 * app also frames it with `sandbox` without allow-scripts: two locks), no forms, no frames, no
 * plugins; images only from the message itself (`data:`, cid: parts are inlined as data: URLs)
 * unless the user allowed remote images for this message.
 */
export function VIEW_CSP(remoteImages: boolean): string {
  const remote = remoteImages ? ' http: https:' : '';
  return [
    "default-src 'none'",
    `img-src data:${remote}`,
    `style-src 'unsafe-inline'${remote}`,
    `font-src data:${remote}`,
    "script-src 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
    "base-uri 'none'",
  ].join('; ');
}

/** Largest part inlined as a data: URL; bigger inline parts are left as a broken link. */
export const MAX_INLINE_IMAGE_BYTES = 10 * 1024 * 1024;

/**
 * The HTML part made into a viewable page: `cid:` references (RFC 2392) replaced by data: URLs of
 * their parts, and `<base target="_blank">` so every link opens a new tab (the app's sandbox
 * allows popups that escape it), leaving the preview where it is.
 */
export function htmlView(parts: MessageParts): string {
  let html = parts.html;
  for (const part of [...parts.inline, ...parts.attachments]) {
    if (part.contentId === '' || part.bytes.length > MAX_INLINE_IMAGE_BYTES) continue;
    const url = `data:${part.contentType};base64,${part.bytes.toString('base64')}`;
    html = html.split(`cid:${part.contentId}`).join(url);
  }
  const base = '<base target="_blank">';
  // <base> must come before any link to take effect: right after <head>, or first of all.
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head !== null) {
    const at = head.index + head[0].length;
    return `${html.slice(0, at)}${base}${html.slice(at)}`;
  }
  return `<!doctype html><meta charset="utf-8">${base}${html}`;
}

/** Whether the HTML refers to images outside the message (http/https), so the app offers to load them. */
export function hasRemoteImages(html: string): boolean {
  return /<img[^>]+src\s*=\s*["']?https?:/i.test(html) || /url\(\s*["']?https?:/i.test(html);
}
