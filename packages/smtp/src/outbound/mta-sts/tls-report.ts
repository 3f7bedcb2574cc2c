/**
 * TLS-RPT (RFC 8460): counts of successful and failed TLS sessions per policy domain, the JSON
 * report (section 4), and the report message (section 5.3: multipart/report, report-type
 * "tlsrpt", the JSON gzipped as application/tlsrpt+gzip). Sending is the worker's: it looks up
 * `_smtp._tls.<domain>` and queues the message to its mailto: addresses.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { StsPolicy } from './policy.js';

/** RFC 8460 4.3 result types the relay produces. */
export type TlsResultType =
  | 'starttls-not-supported'
  | 'certificate-host-mismatch'
  | 'certificate-expired'
  | 'certificate-not-trusted'
  | 'validation-failure'
  | 'sts-policy-fetch-error'
  | 'sts-policy-invalid'
  | 'sts-webpki-invalid';

export interface TlsFailure {
  resultType: TlsResultType;
  receivingMxHostname?: string;
  receivingIp?: string;
  failureReason?: string;
}

interface DomainCounts {
  policy: StsPolicy | null;
  successes: number;
  failures: Map<string, TlsFailure & { count: number }>;
}

/** The report's JSON (RFC 8460 4.4), with the hyphenated member names it defines. */
export interface TlsReport {
  'organization-name': string;
  'date-range': { 'start-datetime': string; 'end-datetime': string };
  'contact-info': string;
  'report-id': string;
  policies: Array<{
    policy: {
      'policy-type': 'sts' | 'no-policy-found';
      'policy-string'?: string[];
      'policy-domain': string;
      'mx-host'?: string[];
    };
    summary: { 'total-successful-session-count': number; 'total-failure-session-count': number };
    'failure-details'?: Array<{
      'result-type': TlsResultType;
      'sending-mta-ip'?: string;
      'receiving-mx-hostname'?: string;
      'receiving-ip'?: string;
      'failed-session-count': number;
      'failure-reason-code'?: string;
    }>;
  }>;
}

export class TlsReportCollector {
  private counts = new Map<string, DomainCounts>();
  private since: number;

  constructor(now: number = Date.now()) {
    this.since = now;
  }

  recordSuccess(domain: string, policy: StsPolicy | null): void {
    this.entry(domain, policy).successes += 1;
  }

  recordFailure(domain: string, policy: StsPolicy | null, failure: TlsFailure): void {
    const entry = this.entry(domain, policy);
    const key = [failure.resultType, failure.receivingMxHostname, failure.receivingIp].join('|');
    const seen = entry.failures.get(key);
    if (seen !== undefined) seen.count += 1;
    else entry.failures.set(key, { ...failure, count: 1 });
  }

  /** Domains with anything to report. */
  domains(): string[] {
    return [...this.counts.keys()];
  }

  /**
   * One report per domain for the period since the last take, and a fresh period from `now`.
   * `sendingMtaIp` is left out when unknown (RFC 8460 4.4: optional).
   */
  take(
    now: number,
    reporter: { organization: string; contact: string },
  ): Array<{ domain: string; report: TlsReport }> {
    const start = new Date(this.since).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const end = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const reports = [...this.counts].map(([domain, counts]) => {
      const failed = [...counts.failures.values()];
      const report: TlsReport = {
        'organization-name': reporter.organization,
        'date-range': { 'start-datetime': start, 'end-datetime': end },
        'contact-info': reporter.contact,
        'report-id': `${start}_${domain}_${randomUUID()}`,
        policies: [
          {
            policy: {
              'policy-type': counts.policy === null ? 'no-policy-found' : 'sts',
              ...(counts.policy === null
                ? {}
                : { 'policy-string': counts.policy.lines, 'mx-host': counts.policy.mx }),
              'policy-domain': domain,
            },
            summary: {
              'total-successful-session-count': counts.successes,
              'total-failure-session-count': failed.reduce((sum, f) => sum + f.count, 0),
            },
            ...(failed.length === 0
              ? {}
              : {
                  'failure-details': failed.map((f) => ({
                    'result-type': f.resultType,
                    ...(f.receivingMxHostname !== undefined
                      ? { 'receiving-mx-hostname': f.receivingMxHostname }
                      : {}),
                    ...(f.receivingIp !== undefined ? { 'receiving-ip': f.receivingIp } : {}),
                    'failed-session-count': f.count,
                    ...(f.failureReason !== undefined
                      ? { 'failure-reason-code': f.failureReason.slice(0, 200) }
                      : {}),
                  })),
                }),
          },
        ],
      };
      return { domain, report };
    });
    this.counts = new Map();
    this.since = now;
    return reports;
  }

  private entry(domain: string, policy: StsPolicy | null): DomainCounts {
    let entry = this.counts.get(domain);
    if (entry === undefined) {
      entry = { policy, successes: 0, failures: new Map() };
      this.counts.set(domain, entry);
    }
    if (policy !== null) entry.policy = policy;
    return entry;
  }
}

/**
 * RFC 8460 3: the `_smtp._tls.<domain>` TXT record `v=TLSRPTv1; rua=mailto:a@b,https://...`.
 * Returns the mailto: addresses (the relay sends only by mail).
 */
export function parseTlsRptRecord(txt: string[][]): string[] {
  const record = txt.map((chunks) => chunks.join('')).find((r) => /^v=TLSRPTv1\s*(;|$)/.test(r));
  if (record === undefined) return [];
  const rua = /(?:^|;)\s*rua=([^;]*)/.exec(record)?.[1] ?? '';
  return rua
    .split(',')
    .map((uri) => uri.trim())
    .filter((uri) => /^mailto:/i.test(uri))
    .map((uri) => decodeURIComponent(uri.slice('mailto:'.length).split('?')[0]!));
}

/** RFC 8460 5.3: the report as a message (CRLF), From the reporter, with the gzipped JSON. */
export function tlsReportMessage(
  report: TlsReport,
  options: { domain: string; from: string; submitter: string; to: string[]; date: Date },
): Buffer {
  const boundary = `tlsrpt-${randomUUID()}`;
  const json = gzipSync(Buffer.from(JSON.stringify(report)));
  const start = report['date-range']['start-datetime'].slice(0, 10);
  const end = report['date-range']['end-datetime'].slice(0, 10);
  const filename = `${options.submitter}!${options.domain}!${start}!${end}.json.gz`;
  const lines = [
    `From: ${options.from}`,
    `To: ${options.to.join(', ')}`,
    `Subject: Report Domain: ${options.domain} Submitter: ${options.submitter} Report-ID: <${report['report-id']}>`,
    `Date: ${options.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomUUID()}@${options.submitter}>`,
    `TLS-Report-Domain: ${options.domain}`,
    `TLS-Report-Submitter: ${options.submitter}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type="tlsrpt"; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `This is an aggregate TLS report from ${options.submitter} for ${options.domain}.`,
    '',
    `--${boundary}`,
    `Content-Type: application/tlsrpt+gzip; name="${filename}"`,
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: attachment; filename="${filename}"`,
    '',
    ...(json.toString('base64').match(/.{1,76}/g) ?? []),
    '',
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}
