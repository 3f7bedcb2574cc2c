/**
 * RFC 8461 3.3: the policy is fetched from `https://mta-sts.<domain>/.well-known/mta-sts.txt`
 * over HTTPS with a certificate valid for that name, no redirects, a 200 with text/plain, and a
 * bounded size and time. The name is resolved through the injected resolver (tests: no DNS).
 */
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { DnsResolver } from '../resolver.js';
import { parseStsPolicy, StsPolicyError, type StsPolicy } from './policy.js';

/** RFC 8461 3.3: senders may limit the policy's size; 64 KiB is the suggested bound. */
export const MAX_STS_POLICY_BYTES = 64 * 1024;
/** RFC 8461 3.3: "a short timeout" (the RFC suggests up to a minute; we keep it well below). */
export const STS_FETCH_TIMEOUT_MS = 20_000;

export interface StsFetchOptions {
  resolver: DnsResolver;
  /** 443 (RFC 8461 3.3); tests point it at a loopback stand-in. */
  port: number;
  /** Trusted CAs instead of the system's (tests: the stand-in's own certificate). */
  ca?: string | string[];
  timeoutMs?: number;
}

/** Why fetching failed: the TLS-RPT result type (RFC 8460 4.3) and a message for the log. */
export class StsFetchError extends Error {
  override name = 'StsFetchError';
  constructor(
    message: string,
    readonly resultType: 'sts-policy-fetch-error' | 'sts-policy-invalid' | 'sts-webpki-invalid',
  ) {
    super(message);
  }
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|ERR_TLS/;

export async function fetchStsPolicy(domain: string, options: StsFetchOptions): Promise<StsPolicy> {
  const host = `mta-sts.${domain}`;
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    options.resolver.resolve4(hostname).then(
      (addresses) => {
        const address = addresses[0];
        if (address === undefined) callback(new Error(`no address for ${hostname}`), '', 4);
        else if (typeof lookupOptions === 'object' && lookupOptions.all === true)
          (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
            { address, family: 4 },
          ]);
        else callback(null, address, 4);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, '', 4),
    );
  };
  const text = await new Promise<string>((resolve, reject) => {
    const request = https.get(
      {
        host,
        servername: host,
        port: options.port,
        path: '/.well-known/mta-sts.txt',
        lookup,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        timeout: options.timeoutMs ?? STS_FETCH_TIMEOUT_MS,
        headers: { 'user-agent': 'minimail' },
      },
      (response) => {
        // RFC 8461 3.3: no redirects; only 200 counts.
        if (response.statusCode !== 200) {
          response.resume();
          reject(new StsFetchError(`${host} answered HTTP ${response.statusCode}`, 'sts-policy-fetch-error'));
          return;
        }
        const type = String(response.headers['content-type'] ?? '');
        if (!/^text\/plain\b/i.test(type)) {
          response.resume();
          reject(new StsFetchError(`${host} served ${type || 'no content type'}`, 'sts-policy-invalid'));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_STS_POLICY_BYTES) {
            request.destroy(
              new StsFetchError(`${host} policy over ${MAX_STS_POLICY_BYTES} bytes`, 'sts-policy-invalid'),
            );
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        response.on('error', reject);
      },
    );
    request.on('timeout', () =>
      request.destroy(new StsFetchError(`${host} did not answer in time`, 'sts-policy-fetch-error')),
    );
    request.on('error', (error: Error & { code?: string }) => {
      if (error instanceof StsFetchError) reject(error);
      else if (TLS_CODES.test(String(error.code)))
        reject(new StsFetchError(`${host}: ${error.message}`, 'sts-webpki-invalid'));
      else reject(new StsFetchError(`${host}: ${error.message}`, 'sts-policy-fetch-error'));
    });
  });
  try {
    return parseStsPolicy(text);
  } catch (error) {
    if (error instanceof StsPolicyError)
      throw new StsFetchError(`${host}: ${error.message}`, 'sts-policy-invalid');
    throw error;
  }
}
