/**
 * libmime, loaded on first use. Its charset tables (iconv-lite, encoding-japanese) cost ~11 MiB of
 * resident memory in every process that imports this package (10.6 to 11.4 MiB: RSS after gc,
 * before and after requiring libmime and its charset module, five runs on Node 20.20), while plain
 * ASCII and UTF-8 mail never needs them: parameters are read by header-params.ts and text without
 * encoded words is returned as it is. A process that meets an RFC 2231 parameter, an encoded word
 * or another charset loads it then.
 * `require` because the callers are synchronous (the parser runs inside the store's delivery).
 */
import { createRequire } from 'node:module';
import type libmimeInstance from 'libmime';
import type { decode as charsetDecode } from 'libmime/lib/charset.js';

const require = createRequire(import.meta.url);

let libmimeModule: typeof libmimeInstance | undefined;
let charsetModule: { decode: typeof charsetDecode } | undefined;

/** The shared libmime instance (its default export). */
export function libmime(): typeof libmimeInstance {
  libmimeModule ??= require('libmime') as typeof libmimeInstance;
  return libmimeModule;
}

/** libmime's charset decoder: octets in a named charset (iconv-lite, encoding-japanese) as text. */
export function decodeCharset(bytes: Buffer, charset: string): string {
  charsetModule ??= require('libmime/lib/charset.js') as { decode: typeof charsetDecode };
  return charsetModule.decode(bytes, charset);
}
