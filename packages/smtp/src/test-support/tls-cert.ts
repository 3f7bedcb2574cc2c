import { generate } from 'selfsigned';

let cached: Promise<{ key: string; cert: string }> | null = null;

/** A self-signed certificate for `localhost`, made once per test file (EC keys are quick). */
export function testCertificate(): Promise<{ key: string; cert: string }> {
  cached ??= generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec' }).then((pems) => ({
    key: pems.private,
    cert: pems.cert,
  }));
  return cached;
}
