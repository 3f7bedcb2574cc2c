/** The vacation reply message (RFC 5230 5, RFC 3834 5). */
import { describe, expect, it } from 'vitest';
import { buildVacationReply, type VacationAction } from './vacation.js';

const action: VacationAction = {
  type: 'vacation',
  to: 'friend@other.example',
  from: 'me@example.com',
  subject: 'Auto: déjeuner?',
  reason: "I'm away until Monday.\nBack soon.",
  mime: false,
  days: 7,
  handle: 'h',
  inReplyTo: '<m1@other.example>',
};

describe('buildVacationReply', () => {
  it('writes the headers RFC 5230 5 asks for, with Auto-Submitted: auto-replied', () => {
    const raw = buildVacationReply(action, {
      now: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      hostname: 'mx.example.com',
      id: 'v1',
    });
    expect(raw.toString('utf8')).toBe(
      [
        'From: me@example.com',
        'To: <friend@other.example>',
        'Subject: =?UTF-8?B?QXV0bzogZMOpamV1bmVyPw==?=',
        'Date: Fri, 02 Jan 2026 03:04:05 +0000',
        'Message-ID: <v1@mx.example.com>',
        'Auto-Submitted: auto-replied (vacation)',
        'In-Reply-To: <m1@other.example>',
        'References: <m1@other.example>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        "I'm away until Monday.",
        'Back soon.',
        '',
      ].join('\r\n'),
    );
  });
  it(':mime reasons carry their own MIME header', () => {
    const raw = buildVacationReply(
      {
        ...action,
        mime: true,
        inReplyTo: null,
        reason: 'Content-Type: text/plain; charset=us-ascii\n\naway\n',
      },
      { now: new Date(0), hostname: 'h', id: 'i' },
    ).toString();
    expect(
      raw.endsWith('MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\naway\r\n'),
    ).toBe(true);
    expect(raw).not.toContain('In-Reply-To');
  });
});
