import { caniemail, rawData } from 'caniemail';

/** Every `family.platform` the caniemail data has results for (the package's client names). */
const clientNames: string[] = (() => {
  const names = new Set<string>();
  for (const feature of (
    rawData as unknown as { data: Array<{ stats: Record<string, Record<string, unknown>> }> }
  ).data) {
    for (const [family, platforms] of Object.entries(feature.stats)) {
      for (const platform of Object.keys(platforms)) names.add(`${family}.${platform}`);
    }
  }
  return [...names].sort();
})();

/** Most links one link check follows (a newsletter can have hundreds). */
export const MAX_CHECKED_LINKS = 100;
/** How long one link may take to answer. */
export const LINK_TIMEOUT_MS = 5_000;
/** Links checked at once. */
export const LINK_CONCURRENCY = 4;

export interface LinkResult {
  URL: string;
  StatusCode: number;
  Status: string;
}

/** Every distinct http(s) link of the HTML (href) and the text, in order of appearance. */
export function linksOf(html: string, text: string): string[] {
  const found = new Set<string>();
  for (const match of html.matchAll(/\bhref\s*=\s*["']?(https?:[^"'\s>]+)/gi))
    found.add(decodeEntities(match[1]!));
  for (const match of text.matchAll(/\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g)) found.add(match[0]);
  return [...found];
}

function decodeEntities(value: string): string {
  return value.replace(/&amp;/g, '&').replace(/&#38;/g, '&');
}

/**
 * Mailpit's link check: each link is asked with HEAD (GET when HEAD is refused), redirects not
 * followed unless `follow`. On demand only: it is the one thing in the catcher that reaches out, so
 * it is never run by itself.
 */
export async function checkLinks(
  links: readonly string[],
  follow: boolean,
  fetcher: typeof fetch = fetch,
): Promise<{ Errors: number; Links: LinkResult[] }> {
  const queue = links.slice(0, MAX_CHECKED_LINKS);
  const results: LinkResult[] = new Array<LinkResult>(queue.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < queue.length) {
      const at = next++;
      results[at] = await checkOne(queue[at]!, follow, fetcher);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LINK_CONCURRENCY, queue.length) }, worker));
  return { Errors: results.filter((r) => r.StatusCode === 0 || r.StatusCode >= 400).length, Links: results };
}

async function checkOne(url: string, follow: boolean, fetcher: typeof fetch): Promise<LinkResult> {
  const ask = (method: string) =>
    fetcher(url, {
      method,
      redirect: follow ? 'follow' : 'manual',
      signal: AbortSignal.timeout(LINK_TIMEOUT_MS),
    });
  try {
    let response = await ask('HEAD');
    if (response.status === 405 || response.status === 501) response = await ask('GET');
    await response.body?.cancel();
    return { URL: url, StatusCode: response.status, Status: response.statusText };
  } catch (error) {
    return { URL: url, StatusCode: 0, Status: error instanceof Error ? error.message : String(error) };
  }
}

export interface CompatibilityWarning {
  Title: string;
  Category: 'html' | 'css';
  Score: { Found: number; Supported: number; Partial: number; Unsupported: number };
  Results: Array<{ Name: string; Support: 'no' | 'partial'; Note: string }>;
}

/**
 * Which mail clients support the HTML and CSS the message uses, from caniemail.com's data as the
 * `caniemail` package ships it (offline). The package throws for a few clients whose data lacks
 * a feature; those are listed as not checked rather than failing the whole check.
 */
export function checkHtml(html: string): {
  Total: { Clients: number; Supported: number; Partial: number; Unsupported: number };
  Warnings: CompatibilityWarning[];
  NotChecked: string[];
} {
  const byTitle = new Map<string, CompatibilityWarning>();
  const notChecked: string[] = [];
  let checked = 0;
  for (const client of clientNames) {
    let result;
    try {
      result = caniemail({ clients: [client as never], html });
    } catch {
      notChecked.push(client);
      continue;
    }
    checked++;
    const add = (
      issues: Array<{ title: string; notes: string[]; support: string }> | undefined,
      kind: 'no' | 'partial',
    ) => {
      for (const issue of issues ?? []) {
        const warning = byTitle.get(issue.title) ?? {
          Title: issue.title,
          Category: /^<|element|attribute/i.test(issue.title) ? ('html' as const) : ('css' as const),
          Score: { Found: 0, Supported: 0, Partial: 0, Unsupported: 0 },
          Results: [],
        };
        if (!warning.Results.some((r) => r.Name === client)) {
          warning.Results.push({ Name: client, Support: kind, Note: issue.notes.join(' ') });
          if (kind === 'no') warning.Score.Unsupported++;
          else warning.Score.Partial++;
        }
        byTitle.set(issue.title, warning);
      }
    };
    add(result.issues.errors.get(client as never), 'no');
    add(result.issues.warnings.get(client as never), 'partial');
  }
  const warnings = [...byTitle.values()].sort((a, b) => b.Score.Unsupported - a.Score.Unsupported);
  for (const warning of warnings) {
    warning.Score.Found = 1;
    warning.Score.Supported = checked - warning.Score.Unsupported - warning.Score.Partial;
  }
  const unsupportedClients = new Set(
    warnings.flatMap((w) => w.Results.filter((r) => r.Support === 'no').map((r) => r.Name)),
  );
  const partialClients = new Set(
    warnings.flatMap((w) => w.Results.filter((r) => r.Support === 'partial').map((r) => r.Name)),
  );
  return {
    Total: {
      Clients: checked,
      Unsupported: unsupportedClients.size,
      Partial: [...partialClients].filter((c) => !unsupportedClients.has(c)).length,
      Supported: checked - new Set([...unsupportedClients, ...partialClients]).size,
    },
    Warnings: warnings,
    NotChecked: notChecked,
  };
}
