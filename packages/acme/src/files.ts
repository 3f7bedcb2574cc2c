/**
 * What ACME keeps in the data directory (`<data>/acme/`), every file 0600 in a 0700 directory:
 * `account.key` (the ACME account's private key), `key.pem` + `cert.pem` (the certificate's key and
 * full chain, the files every listener's TLS provider follows), and `issued.json` (for which CA and
 * host names the current certificate was issued). Files are replaced by rename, never rewritten
 * in place, so a reader sees the old or the new file, never half.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface AcmePaths {
  dir: string;
  accountKey: string;
  key: string;
  cert: string;
  issued: string;
}

export function acmePaths(dir: string): AcmePaths {
  return {
    dir,
    accountKey: path.join(dir, 'account.key'),
    key: path.join(dir, 'key.pem'),
    cert: path.join(dir, 'cert.pem'),
    issued: path.join(dir, 'issued.json'),
  };
}

/** What `issued.json` records; a certificate without it (a placeholder) is due at once. */
export interface IssuedRecord {
  directoryUrl: string;
  hostnames: string[];
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

export async function writePrivate(file: string, data: string | Buffer): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, data, { mode: 0o600 });
  await rename(tmp, file);
}

export async function readIssued(paths: AcmePaths): Promise<IssuedRecord | null> {
  try {
    const record = JSON.parse(await readFile(paths.issued, 'utf8')) as IssuedRecord;
    return Array.isArray(record.hostnames) && typeof record.directoryUrl === 'string' ? record : null;
  } catch {
    return null;
  }
}

/** The validity of the certificate in `cert.pem`, or null if there is none (or it does not parse). */
export async function readValidity(paths: AcmePaths): Promise<{ notBefore: Date; notAfter: Date } | null> {
  if (!existsSync(paths.cert)) return null;
  try {
    const cert = new X509Certificate(await readFile(paths.cert));
    return { notBefore: new Date(cert.validFrom), notAfter: new Date(cert.validTo) };
  } catch {
    return null;
  }
}
