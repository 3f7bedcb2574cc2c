import { describe, expect, it } from 'vitest';
import { extractCode, extractLinks } from './extract.js';

describe('extractLinks', () => {
  it('takes hrefs of the HTML part (entities undone), then URLs of the text part, each once', () => {
    const message = {
      html: '<p><a href="https://app.test/confirm?token=a1&amp;next=%2Fhome">Confirm</a> or <a href=\'http://app.test/help\'>help</a></p>',
      text: 'Confirm: https://app.test/confirm?token=a1&next=%2Fhome\nHelp (http://app.test/help). Unsubscribe: https://app.test/u/9.',
    };
    expect(extractLinks(message)).toEqual([
      'https://app.test/confirm?token=a1&next=%2Fhome',
      'http://app.test/help',
      'https://app.test/u/9',
    ]);
  });

  it('reads a string, and finds nothing where there is nothing', () => {
    expect(extractLinks('go to <https://x.test/a>, then https://x.test/b!')).toEqual([
      'https://x.test/a',
      'https://x.test/b',
    ]);
    expect(extractLinks({ text: 'no links', html: null })).toEqual([]);
    expect(extractLinks({ text: null, html: '<a href="mailto:a@b.test">mail</a>' })).toEqual([]);
  });
});

describe('extractCode', () => {
  it.each([
    ['Your verification code is 482913.', '482913'],
    ['Order 2026 shipped. Your code: 1234', '1234'],
    ['Use 90210 to log in', '90210'],
    ['PIN\n\n  7731  \n', '7731'],
    ['call 555-1234-99 or code 8842', '8842'],
  ])('%j -> %s', (text, code) => {
    expect(extractCode(text)).toBe(code);
  });

  it('reads the HTML part when there is no text part, and takes a pattern', () => {
    expect(
      extractCode({ text: null, html: '<p>Code: <b>ABC-123</b></p>' }, { pattern: /\b([A-Z]{3}-\d{3})\b/ }),
    ).toBe('ABC-123');
    expect(extractCode({ text: null, html: '<p>Your code is <strong>551234</strong></p>' })).toBe('551234');
    expect(extractCode('no digits here')).toBeNull();
    expect(extractCode('123 is too short')).toBeNull();
  });
});
