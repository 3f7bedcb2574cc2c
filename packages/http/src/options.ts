import type { AcmeChallengeResponder, Logger, Profile, ServiceListener } from '@minimail/protocol';
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
   * dev: health, metrics, the mail-catcher API and web page. production: health and metrics
   * only; everything else is 404 (caught mail must never be readable over HTTP in production).
   */
  profile: Profile;
  /**
   * Host names, besides loopback names and IP literals, under which the dev catcher may be reached
   * (e.g. the configured MINIMAIL_HOSTNAME). Requests naming any other host get 403 (DNS rebinding).
   */
  allowedHosts?: readonly string[];
  /**
   * What mail clients are told by the autoconfiguration endpoints (Thunderbird autoconfig, Outlook
   * autodiscover, Apple .mobileconfig), built by the app from its configuration. Absent: no endpoints.
   */
  clientSettings?: ClientSettings;
  /** ACME HTTP-01 challenges in progress (MINIMAIL_ACME=on): answered under /.well-known/acme-challenge/. */
  acmeChallenges?: AcmeChallengeResponder;
}

/** close() stops accepting, ends long polls, closes every connection. */
export type HttpListener = ServiceListener;
