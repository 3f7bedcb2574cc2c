import { createHash } from 'node:crypto';

/** Content hash of a body: hex sha256 of the exact bytes. Equal hashes mean byte-identical bodies. */
export function bodyHashOf(raw: Uint8Array): string {
  return createHash('sha256').update(raw).digest('hex');
}
