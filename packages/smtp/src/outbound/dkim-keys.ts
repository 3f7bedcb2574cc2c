import { generateKeyPairSync } from 'node:crypto';
import type { DkimAlgorithm, DkimKey, DkimKeyInput } from '@minimail/store';

/** RFC 8301 3.2: RSA signing keys must be at least 1024 bits and should be 2048. */
const RSA_MODULUS_BITS = 2048;

/** RFC 8410: Ed25519 SPKI DER is this 12-byte prefix followed by the raw 32-byte key. */
const ED25519_SPKI_PREFIX_LENGTH = 12;

/** The DKIM `k=` tag for each algorithm (RFC 6376 3.6.1, RFC 8463 4.2). */
const KEY_TYPE: Record<DkimAlgorithm, string> = { 'rsa-sha256': 'rsa', 'ed25519-sha256': 'ed25519' };

/** A selector that says when the key was made, so a rotated key gets a new DNS name. */
export function defaultSelector(now: Date = new Date()): string {
  return `mm${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * A fresh signing key. RSA 2048 is what every verifier understands; Ed25519 (RFC 8463) is small
 * but not verified everywhere yet, so operators who choose it usually publish an RSA key too.
 */
export function generateDkimKey(
  algorithm: DkimAlgorithm,
  selector: string = defaultSelector(),
): DkimKeyInput {
  if (algorithm === 'rsa-sha256') {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: RSA_MODULUS_BITS });
    return {
      selector,
      algorithm,
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      // RFC 6376 3.6.1: p= is the base64 of the SubjectPublicKeyInfo DER.
      publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    selector,
    algorithm,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    // RFC 8463 4.2: p= is the base64 of the raw 32-byte public key, not the SPKI structure.
    publicKey: publicKey
      .export({ type: 'spki', format: 'der' })
      .subarray(ED25519_SPKI_PREFIX_LENGTH)
      .toString('base64'),
  };
}

/** The DNS name the public key is published at (RFC 6376 3.6.2.1). */
export function dkimRecordName(key: Pick<DkimKey, 'selector' | 'domain'>): string {
  return `${key.selector}._domainkey.${key.domain}`;
}

/** The TXT record value (RFC 6376 3.6.1), unsplit. */
export function dkimRecordValue(key: Pick<DkimKey, 'algorithm' | 'publicKey'>): string {
  return `v=DKIM1; k=${KEY_TYPE[key.algorithm]}; p=${key.publicKey}`;
}
