/**
 * Plain mail must not load libmime (its charset tables are ~11 MiB of every process's resident
 * memory, measured as libmime-lazy.ts says); mail that needs it loads it on the spot. Own file:
 * vitest runs each test file in a fresh worker, so nothing else has loaded libmime into this
 * require cache.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { bodyStructure } from './bodystructure.js';
import { parseMessage } from './parse.js';
import { headerValues, textForSearch } from './search.js';
import { crlf } from './test-support/messages.js';

const require = createRequire(import.meta.url);

function libmimeLoaded(): boolean {
  return Object.keys(require.cache).some((file) => file.includes('/libmime/'));
}

describe('libmime is loaded only when a message needs it', () => {
  it('parses, describes and searches plain ASCII and UTF-8 mail without it, then loads it for RFC 2231', () => {
    const plain = crlf(
      'Subject: caf\u00e9 plain',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'hello',
      '--b1',
      'Content-Type: application/octet-stream; name="a.bin"',
      'Content-Disposition: attachment; filename=a.bin',
      '',
      'AAAA',
      '--b1--',
      '',
    );
    const root = parseMessage(plain);
    // RFC 3501 7.4.2: the exact BODYSTRUCTURE, parameters read without libmime.
    expect(bodyStructure(plain, root, true)).toStrictEqual([
      ['text', 'plain', ['charset', 'utf-8'], null, null, '7bit', 5, 0, null, null, null, null],
      [
        'application',
        'octet-stream',
        ['name', 'a.bin'],
        null,
        null,
        '7bit',
        4,
        null,
        ['attachment', ['filename', 'a.bin']],
        null,
        null,
      ],
      'mixed',
      ['boundary', 'b1'],
      null,
      null,
      null,
    ]);
    expect(headerValues(plain, root, 'subject')).toStrictEqual(['caf\u00e9 plain']);
    expect(textForSearch(plain, root)).toBe('hello');
    expect(root.children[1]?.disposition).toStrictEqual({
      type: 'attachment',
      params: { filename: 'a.bin' },
    });
    expect(libmimeLoaded()).toBe(false);

    const extended = crlf("Content-Type: text/plain; name*=utf-8''caf%C3%A9.txt", '', 'x', '');
    expect(parseMessage(extended).contentType.params).toStrictEqual({
      charset: 'us-ascii',
      name: 'caf\u00e9.txt',
    });
    expect(libmimeLoaded()).toBe(true);
  });
});
