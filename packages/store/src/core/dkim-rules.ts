import { MAX_DOMAIN_LENGTH } from './limits.js';
import { StoreError, type DkimKeyInput } from './types.js';

/** RFC 6376 3.1: a selector is one or more DNS labels. */
const SELECTOR =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/** Checks a DKIM key before any backend stores it; returns the lower-cased signing domain. */
export function checkDkimKey(domain: string, key: DkimKeyInput): string {
  const name = domain.toLowerCase();
  if (name.length > MAX_DOMAIN_LENGTH || !DOMAIN.test(name)) {
    throw new StoreError('INVALID', `invalid domain "${domain}"`);
  }
  if (!SELECTOR.test(key.selector))
    throw new StoreError('INVALID', `invalid DKIM selector "${key.selector}"`);
  if (key.algorithm !== 'rsa-sha256' && key.algorithm !== 'ed25519-sha256') {
    throw new StoreError('INVALID', `unsupported DKIM algorithm "${String(key.algorithm)}"`);
  }
  if (!key.privateKeyPem.includes('PRIVATE KEY') || key.publicKey.length === 0) {
    throw new StoreError('INVALID', 'a DKIM key needs a PEM private key and its public key');
  }
  return name;
}
