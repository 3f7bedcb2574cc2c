import { describe, expect, it } from 'vitest';
import { parseMessage } from './parse.js';
import { deserializeStructure, serializeStructure, STRUCTURE_FORMAT_VERSION } from './serialize.js';
import { crlf } from './test-support/messages.js';

describe('serializeStructure / deserializeStructure', () => {
  it('round-trips a structure with parts, an embedded message and raw 8-bit envelope strings', () => {
    const raw = Buffer.concat([
      Buffer.from('Subject: '),
      Buffer.from([0xe4]),
      crlf(
        '',
        'Content-Type: multipart/mixed; boundary=b',
        '',
        '--b',
        'Content-Type: message/rfc822',
        '',
        'From: a@b.c',
        '',
        'x',
        '--b--',
      ),
    ]);
    const root = parseMessage(raw);
    const json = serializeStructure(root);
    expect(JSON.parse(json)).toMatchObject({ v: STRUCTURE_FORMAT_VERSION });
    expect(deserializeStructure(json)).toEqual(root);
  });

  it('refuses text that is not a structure of this version, naming the problem', () => {
    expect(() => deserializeStructure('{"v":0,"root":{}}')).toThrow(/format version/);
    expect(() => deserializeStructure('{"v":1,"root":{"headerStart":"0"}}')).toThrow(/headerStart/);
    expect(() => deserializeStructure('not json')).toThrow();
  });
});
