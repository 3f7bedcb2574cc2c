/**
 * JSON Schemas of the /api/v1 answers: Fastify serializes with them and @fastify/swagger puts them
 * into the OpenAPI 3.1 document at /api/v1/openapi.json. Names and shapes follow Mailpit's v1 API
 * (its swagger.json) so Mailpit's client libraries work unchanged; minimail's additions are marked.
 */

const address = {
  $id: 'Address',
  type: 'object',
  properties: { Name: { type: 'string' }, Address: { type: 'string' } },
  required: ['Name', 'Address'],
} as const;

const addresses = { type: 'array', items: { $ref: 'Address#' } } as const;

const attachment = {
  $id: 'Attachment',
  type: 'object',
  properties: {
    PartID: { type: 'string', description: 'IMAP section number, e.g. "2" or "1.2"' },
    FileName: { type: 'string' },
    ContentType: { type: 'string' },
    ContentID: { type: 'string' },
    Size: { type: 'integer' },
    Checksums: {
      type: 'object',
      properties: { SHA256: { type: 'string' } },
      required: ['SHA256'],
    },
  },
  required: ['PartID', 'FileName', 'ContentType', 'ContentID', 'Size', 'Checksums'],
} as const;

const copy = {
  $id: 'Copy',
  type: 'object',
  description: 'minimail: one copy of the message in a recipient mailbox',
  properties: {
    ID: { type: 'string' },
    Mailbox: { type: 'integer' },
    UID: { type: 'integer' },
    Owner: { type: 'string' },
    Read: { type: 'boolean' },
  },
  required: ['ID', 'Mailbox', 'UID', 'Owner', 'Read'],
} as const;

const summaryProperties = {
  ID: { type: 'string' },
  MessageID: { type: 'string' },
  Read: { type: 'boolean' },
  From: { $ref: 'Address#' },
  To: addresses,
  Cc: addresses,
  Bcc: addresses,
  ReplyTo: addresses,
  Subject: { type: 'string' },
  Created: { type: 'string', format: 'date-time' },
  Username: { type: 'string' },
  Tags: { type: 'array', items: { type: 'string' } },
  Size: { type: 'integer' },
  Attachments: { type: 'integer' },
  Snippet: { type: 'string' },
  Recipients: {
    type: 'array',
    items: { type: 'string' },
    description: 'minimail: the addresses whose mailboxes hold a copy (envelope recipients)',
  },
  Copies: { type: 'array', items: { $ref: 'Copy#' } },
} as const;

const messageSummary = {
  $id: 'MessageSummary',
  type: 'object',
  properties: summaryProperties,
  required: Object.keys(summaryProperties),
} as const;

const messagesSummary = {
  $id: 'MessagesSummary',
  type: 'object',
  properties: {
    total: { type: 'integer', description: 'Total messages in the mailbox scope' },
    unread: { type: 'integer' },
    count: { type: 'integer', description: 'Messages in this answer' },
    messages_count: { type: 'integer', description: 'Messages matching the search (paging total)' },
    messages_unread: { type: 'integer' },
    start: { type: 'integer' },
    tags: { type: 'array', items: { type: 'string' } },
    messages: { type: 'array', items: { $ref: 'MessageSummary#' } },
  },
  required: ['total', 'unread', 'count', 'messages_count', 'messages_unread', 'start', 'tags', 'messages'],
} as const;

const messageProperties = {
  ID: { type: 'string' },
  MessageID: { type: 'string' },
  From: { $ref: 'Address#' },
  To: addresses,
  Cc: addresses,
  Bcc: addresses,
  ReplyTo: addresses,
  ReturnPath: { type: 'string' },
  Subject: { type: 'string' },
  ListUnsubscribe: {
    type: 'object',
    properties: {
      Header: { type: 'string' },
      Links: { type: 'array', items: { type: 'string' } },
      Errors: { type: 'string' },
      HeaderPost: { type: 'string' },
    },
    required: ['Header', 'Links', 'Errors', 'HeaderPost'],
  },
  Date: { type: 'string', format: 'date-time' },
  Tags: { type: 'array', items: { type: 'string' } },
  Username: { type: 'string' },
  Text: { type: 'string' },
  HTML: { type: 'string' },
  Size: { type: 'integer' },
  Inline: { type: 'array', items: { $ref: 'Attachment#' } },
  Attachments: { type: 'array', items: { $ref: 'Attachment#' } },
  Recipients: summaryProperties.Recipients,
  Copies: summaryProperties.Copies,
} as const;

const message = {
  $id: 'Message',
  type: 'object',
  properties: messageProperties,
  required: Object.keys(messageProperties),
} as const;

const error = {
  $id: 'Error',
  type: 'object',
  properties: { error: { type: 'string' } },
  required: ['error'],
} as const;

const mailboxes = {
  $id: 'Recipients',
  type: 'array',
  description: 'minimail: every recipient address and its mailboxes',
  items: {
    type: 'object',
    properties: {
      Address: { type: 'string' },
      Mailboxes: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            ID: { type: 'integer' },
            Name: { type: 'string' },
            Messages: { type: 'integer' },
            Unread: { type: 'integer' },
          },
          required: ['ID', 'Name', 'Messages', 'Unread'],
        },
      },
    },
    required: ['Address', 'Mailboxes'],
  },
} as const;

const info = {
  $id: 'AppInformation',
  type: 'object',
  properties: {
    Version: { type: 'string' },
    LatestVersion: { type: 'string' },
    Database: { type: 'string' },
    DatabaseSize: { type: 'integer' },
    Messages: { type: 'integer' },
    Unread: { type: 'integer' },
    Tags: { type: 'object', additionalProperties: { type: 'integer' } },
    RuntimeStats: {
      type: 'object',
      properties: { Uptime: { type: 'integer' } },
      required: ['Uptime'],
    },
  },
  required: [
    'Version',
    'LatestVersion',
    'Database',
    'DatabaseSize',
    'Messages',
    'Unread',
    'Tags',
    'RuntimeStats',
  ],
} as const;

const webUi = {
  $id: 'WebUIConfiguration',
  type: 'object',
  properties: {
    Label: { type: 'string' },
    MessageRelay: {
      type: 'object',
      properties: { Enabled: { type: 'boolean' }, SMTPServer: { type: 'string' } },
      required: ['Enabled', 'SMTPServer'],
    },
    SpamAssassin: { type: 'boolean' },
    ChaosEnabled: { type: 'boolean' },
    DuplicatesIgnored: { type: 'boolean' },
    HideDeleteAllButton: { type: 'boolean' },
  },
  required: [
    'Label',
    'MessageRelay',
    'SpamAssassin',
    'ChaosEnabled',
    'DuplicatesIgnored',
    'HideDeleteAllButton',
  ],
} as const;

const linkCheck = {
  $id: 'LinkCheck',
  type: 'object',
  properties: {
    Errors: { type: 'integer' },
    Links: {
      type: 'array',
      items: {
        type: 'object',
        properties: { URL: { type: 'string' }, StatusCode: { type: 'integer' }, Status: { type: 'string' } },
        required: ['URL', 'StatusCode', 'Status'],
      },
    },
  },
  required: ['Errors', 'Links'],
} as const;

const htmlCheck = {
  $id: 'HTMLCheck',
  type: 'object',
  description: "minimail: per-feature support across mail clients (shape close to, not equal to, Mailpit's)",
  properties: {
    Total: {
      type: 'object',
      properties: {
        Clients: { type: 'integer' },
        Supported: { type: 'integer' },
        Partial: { type: 'integer' },
        Unsupported: { type: 'integer' },
      },
      required: ['Clients', 'Supported', 'Partial', 'Unsupported'],
    },
    Warnings: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          Title: { type: 'string' },
          Category: { type: 'string', enum: ['html', 'css'] },
          Score: {
            type: 'object',
            properties: {
              Found: { type: 'integer' },
              Supported: { type: 'integer' },
              Partial: { type: 'integer' },
              Unsupported: { type: 'integer' },
            },
            required: ['Found', 'Supported', 'Partial', 'Unsupported'],
          },
          Results: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                Name: { type: 'string' },
                Support: { type: 'string', enum: ['no', 'partial'] },
                Note: { type: 'string' },
              },
              required: ['Name', 'Support', 'Note'],
            },
          },
        },
        required: ['Title', 'Category', 'Score', 'Results'],
      },
    },
    NotChecked: { type: 'array', items: { type: 'string' } },
  },
  required: ['Total', 'Warnings', 'NotChecked'],
} as const;

export const SHARED_SCHEMAS = [
  linkCheck,
  htmlCheck,
  address,
  attachment,
  copy,
  messageSummary,
  messagesSummary,
  message,
  error,
  mailboxes,
  info,
  webUi,
];

export const ID_PARAM = {
  type: 'object',
  properties: { ID: { type: 'string', description: 'Message ID, or `latest`' } },
  required: ['ID'],
} as const;

export const LIST_QUERY = {
  type: 'object',
  properties: {
    start: { type: 'integer', minimum: 0, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
    recipient: { type: 'string', description: 'minimail: only this recipient address' },
    mailbox: { type: 'integer', description: 'minimail: only this mailbox id' },
  },
} as const;

export const SEARCH_QUERY = {
  type: 'object',
  properties: {
    ...LIST_QUERY.properties,
    query: { type: 'string', description: 'Mailpit search syntax' },
    tz: { type: 'string', description: 'Accepted for compatibility; dates are read as UTC' },
  },
  required: ['query'],
} as const;

export const IDS_BODY = {
  type: ['object', 'null'],
  properties: { IDs: { type: 'array', items: { type: 'string' }, maxItems: 10_000 } },
} as const;

export const READ_BODY = {
  type: ['object', 'null'],
  properties: {
    IDs: { type: 'array', items: { type: 'string' }, maxItems: 10_000 },
    Read: { type: 'boolean' },
    Search: { type: 'string' },
  },
} as const;

export const TAGS_BODY = {
  type: 'object',
  properties: {
    IDs: { type: 'array', items: { type: 'string' }, maxItems: 10_000 },
    Tags: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 100 },
  },
  required: ['IDs'],
} as const;

export const OK_TEXT = { type: 'string', description: 'Plain text "ok"' } as const;

export const ERROR_RESPONSES = {
  400: { $ref: 'Error#' },
  404: { $ref: 'Error#' },
} as const;
