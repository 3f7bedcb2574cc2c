import { dkimSign } from 'mailauth';
import type { DkimKey } from '@minimail/store';

/**
 * RFC 6376 3.4: relaxed canonicalization for header and body survives the harmless rewrapping and
 * whitespace changes relays make. The signed header list is mailauth's default, which includes
 * From (RFC 6376 5.4 requires it) and oversigns the fields nobody may add later.
 */
const CANONICALIZATION = 'relaxed/relaxed';

/**
 * Prepends a DKIM-Signature for `key` to the message (RFC 6376 5). Fails loudly if mailauth
 * reports an error: sending unsigned mail that the domain's DMARC policy then rejects would be a
 * silent loss, so the worker treats a signing failure as temporary instead.
 */
export async function signMessage(message: Buffer, key: DkimKey): Promise<Buffer> {
  const signature = {
    signingDomain: key.domain,
    selector: key.selector,
    privateKey: key.privateKeyPem,
    algorithm: key.algorithm,
    canonicalization: CANONICALIZATION,
  };
  // mailauth signs once per `signatureData` entry; the top-level fields only satisfy its typings.
  const result = await dkimSign(message, { ...signature, signTime: new Date(), signatureData: [signature] });
  const failure = result.errors[0] as unknown;
  if (failure !== undefined) {
    const cause = (failure as { err?: unknown }).err ?? failure;
    throw new Error(`DKIM signing for ${key.domain} failed`, { cause });
  }
  return Buffer.concat([Buffer.from(result.signatures, 'latin1'), message]);
}
