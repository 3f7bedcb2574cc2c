import { generate } from 'selfsigned';

/**
 * A self-signed EC certificate and key for `commonName`, as PEM text: for tests that need a
 * certificate of a known name (EC, because an RSA key takes far longer to generate).
 */
export async function selfSignedPemPair(commonName: string): Promise<{ cert: string; key: string }> {
  const pems = await generate([{ name: 'commonName', value: commonName }], { keyType: 'ec' });
  return { cert: pems.cert, key: pems.private };
}
