/**
 * The web app's one way to the server: typed calls to /api/v1 (the same API Mailpit clients use,
 * described at /api/v1/openapi.json). Errors become `ApiError` with the server's message.
 */

export interface Address {
  Name: string;
  Address: string;
}

export interface Copy {
  ID: string;
  Mailbox: number;
  UID: number;
  Owner: string;
  Read: boolean;
}

export interface MessageSummary {
  ID: string;
  MessageID: string;
  Read: boolean;
  From: Address;
  To: Address[];
  Cc: Address[];
  Subject: string;
  Created: string;
  Tags: string[];
  Size: number;
  Attachments: number;
  Snippet: string;
  Recipients: string[];
  Copies: Copy[];
}

export interface MessagesSummary {
  total: number;
  unread: number;
  count: number;
  messages_count: number;
  messages_unread: number;
  start: number;
  tags: string[];
  messages: MessageSummary[];
}

export interface Attachment {
  PartID: string;
  FileName: string;
  ContentType: string;
  ContentID: string;
  Size: number;
}

export interface Message extends Omit<MessageSummary, 'Read' | 'Snippet' | 'Attachments' | 'Created'> {
  Date: string;
  ReplyTo: Address[];
  ReturnPath: string;
  Text: string;
  HTML: string;
  Inline: Attachment[];
  Attachments: Attachment[];
}

export interface Recipient {
  Address: string;
  Mailboxes: Array<{ ID: number; Name: string; Messages: number; Unread: number }>;
}

/** A mailbox's vacation reply (PUT/GET /api/v1/mailboxes/{address}/vacation). */
export interface Vacation {
  Enabled: boolean;
  Subject: string;
  Message: string;
  Days: number;
  From: string;
  Addresses: string[];
}

export interface LinkCheck {
  Errors: number;
  Links: Array<{ URL: string; StatusCode: number; Status: string }>;
}

export interface HtmlCheck {
  Total: { Clients: number; Supported: number; Partial: number; Unsupported: number };
  Warnings: Array<{
    Title: string;
    Category: 'html' | 'css';
    Score: { Found: number; Supported: number; Partial: number; Unsupported: number };
    Results: Array<{ Name: string; Support: 'no' | 'partial'; Note: string }>;
  }>;
  NotChecked: string[];
}

export type Protocol = 'smtp' | 'submission' | 'pop3' | 'imap';

/** One recorded conversation (GET /api/v1/sessions, issue 16). */
export interface SessionSummary {
  id: string;
  protocol: Protocol;
  remoteIp: string;
  startedAt: number;
  endedAt: number | null;
  user: string | null;
  addresses: string[];
  tls: boolean;
  lineCount: number;
  droppedLines: number;
  bytes: number;
}

export interface MessageLink {
  mailboxId: number;
  uid: number;
  action: string;
  line: number;
  to?: { mailboxId: number; uid: number };
}

export interface TranscriptLine {
  at: number;
  dir: 'C' | 'S' | '-';
  text: string;
}

export interface SessionTranscript extends SessionSummary {
  lines: TranscriptLine[];
  links: MessageLink[];
}

export interface Journey {
  ID: string;
  steps: Array<{ session: SessionSummary; links: MessageLink[] }>;
}

export interface Annotation {
  text: string;
  rfc: string;
}

export type Annotations = Record<
  Protocol,
  { commands: Record<string, Annotation>; replies: Record<string, Annotation> }
>;

export interface SessionFilter {
  protocol?: string;
  address?: string;
  ip?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  as: 'json' | 'text' = 'json',
): Promise<T> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = ((await response.json()) as { error?: string }).error ?? message;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new ApiError(response.status, message);
  }
  return (as === 'json' ? await response.json() : await response.text()) as T;
}

export interface Scope {
  recipient?: string;
}

function params(values: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(values))
    if (value !== undefined && value !== '') search.set(key, String(value));
  return search.toString();
}

export const api = {
  list(query: string, start: number, limit: number, scope: Scope): Promise<MessagesSummary> {
    const base = { start, limit, recipient: scope.recipient };
    return query.trim() === ''
      ? call('GET', `/api/v1/messages?${params(base)}`)
      : call('GET', `/api/v1/search?${params({ ...base, query })}`);
  },
  message: (id: string): Promise<Message> => call('GET', `/api/v1/message/${encodeURIComponent(id)}`),
  headers: (id: string): Promise<Record<string, string[]>> =>
    call('GET', `/api/v1/message/${encodeURIComponent(id)}/headers`),
  raw: (id: string): Promise<string> =>
    call('GET', `/api/v1/message/${encodeURIComponent(id)}/raw`, undefined, 'text'),
  setRead: (ids: string[], read: boolean): Promise<string> =>
    call('PUT', '/api/v1/messages', { IDs: ids, Read: read }, 'text'),
  remove: (ids: string[]): Promise<string> => call('DELETE', '/api/v1/messages', { IDs: ids }, 'text'),
  removeMatching(query: string, scope: Scope): Promise<string> {
    if (query.trim() === '' && scope.recipient === undefined)
      return call('DELETE', '/api/v1/messages', {}, 'text');
    return call(
      'DELETE',
      `/api/v1/search?${params({ query, recipient: scope.recipient })}`,
      undefined,
      'text',
    );
  },
  setTags: (ids: string[], tags: string[]): Promise<string> =>
    call('PUT', '/api/v1/tags', { IDs: ids, Tags: tags }, 'text'),
  recipients: (): Promise<Recipient[]> => call('GET', '/api/v1/recipients'),
  vacation: (address: string): Promise<Vacation> =>
    call('GET', `/api/v1/mailboxes/${encodeURIComponent(address)}/vacation`),
  setVacation: (address: string, vacation: Vacation): Promise<Vacation> =>
    call('PUT', `/api/v1/mailboxes/${encodeURIComponent(address)}/vacation`, vacation),
  linkCheck: (id: string): Promise<LinkCheck> =>
    call('GET', `/api/v1/message/${encodeURIComponent(id)}/link-check`),
  htmlCheck: (id: string): Promise<HtmlCheck> =>
    call('GET', `/api/v1/message/${encodeURIComponent(id)}/html-check`),
  partUrl: (id: string, partId: string, download = false): string =>
    `/api/v1/message/${encodeURIComponent(id)}/part/${partId}${download ? '?download=1' : ''}`,
  sessions: (
    filter: SessionFilter,
  ): Promise<{ recording: boolean; total: number; sessions: SessionSummary[] }> =>
    call('GET', `/api/v1/sessions?${params({ ...filter })}`),
  session: (id: string): Promise<SessionTranscript> =>
    call('GET', `/api/v1/sessions/${encodeURIComponent(id)}`),
  transcriptUrl: (id: string): string => `/api/v1/sessions/${encodeURIComponent(id)}/transcript.txt`,
  journey: (id: string): Promise<Journey> => call('GET', `/api/v1/message/${encodeURIComponent(id)}/journey`),
  annotations: (): Promise<Annotations> => call('GET', '/api/v1/annotations'),
  viewUrl: (id: string, remoteImages: boolean): string =>
    `/view/${encodeURIComponent(id)}.html${remoteImages ? '?remote=1' : ''}`,
};
