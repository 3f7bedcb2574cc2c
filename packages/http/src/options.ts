import type { ReleaseSender } from './api-v1/release-route.js';
import type { BasicAuthOptions } from './basic-auth.js';
import type { RetentionOptions } from './catcher/retention.js';
import type { WebhookOptions } from './webhooks.js';
import type { ChaosControl } from './api-v1/chaos-routes.js';
import type {
  AcmeChallengeResponder,
  Logger,
  Profile,
  ServiceListener,
  Recordings,
} from '@minimail/protocol';
import type { MailStore } from '@minimail/store';
import type { ClientSettings } from './autoconfig/client-settings.js';
import type { Registry } from 'prom-client';

export interface HttpServiceOptions {
  store: MailStore;
  /** pino logger from the app; requests are logged at debug, failures at error. */
  logger: Logger;
  /** The process's metrics registry (createMetrics().registry), served at /metrics. */
  registry: Registry;
  /**
   * dev: health, metrics, the mail-catcher API and web app. production: health and metrics
   * only; everything else is 404 (caught mail must never be readable over HTTP in production).
   */
  profile: Profile;
  /**
   * Host names, besides loopback names and IP literals, under which the dev catcher may be reached
   * (e.g. the configured MINIMAIL_HOSTNAME and MINIMAIL_HTTP_TRUSTED_HOSTS). Requests naming any
   * other host get 403 (DNS rebinding).
   */
  allowedHosts?: readonly string[];
  /**
   * Production: a bearer token that admits non-loopback /metrics scrapers (loopback is always
   * admitted). Unset: loopback only. In dev /metrics is open.
   */
  metricsToken?: string | undefined;
  /** The web app's build (apps/web/dist); without it `/` says how to build it. */
  webRoot?: string | undefined;
  /** Dev: the SMTP chaos engine of this process (@minimail/smtp's Chaos), for /api/v1/chaos. */
  chaos?: ChaosControl | undefined;
  /** Dev: retention of caught mail (MINIMAIL_MAX_MESSAGES, MINIMAIL_MAX_AGE). */
  retention?: RetentionOptions | undefined;
  /** Dev: POST each new caught message as JSON to this URL (MINIMAIL_WEBHOOK_URL). */
  webhook?: WebhookOptions | undefined;
  /** Basic auth for the web app and API (MINIMAIL_HTTP_AUTH_FILE); /healthz and /metrics are not covered. */
  basicAuth?: BasicAuthOptions | undefined;
  /** Dev: sends a caught message on through a real SMTP server (MINIMAIL_RELEASE_SMTP). */
  release?: ReleaseSender | undefined;
  /**
   * Dev: the process's recorded protocol conversations (issue 16), served at /api/v1/sessions and
   * /api/v1/message/{ID}/journey; undefined when recording is off.
   */
  recordings?: Recordings | undefined;
  /** Shown by /api/v1/info. */
  version?: string;
  /**
   * What mail clients are told by the autoconfiguration endpoints (Thunderbird autoconfig, Outlook
   * autodiscover, Apple .mobileconfig), built by the app from its configuration. Absent: no endpoints.
   * Served in every profile, for any Host (clients ask under autoconfig.<domain>).
   */
  clientSettings?: ClientSettings | undefined;
  /** ACME HTTP-01 challenges in progress (MINIMAIL_ACME=on): answered under /.well-known/acme-challenge/. */
  acmeChallenges?: AcmeChallengeResponder | undefined;
}

/** close() stops accepting, ends long polls and event streams, closes every connection. */
export type HttpListener = ServiceListener;
