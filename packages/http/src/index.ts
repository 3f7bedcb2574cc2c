export { createHttpServer, buildApp } from './server.js';
export type { HttpListener, HttpServiceOptions } from './options.js';
export type { CaughtMessage, CaughtSummary } from './catcher/caught-mail.js';
export type { AttachmentInfo, HeaderField } from './catcher/message-view.js';
export { indexBody } from './catcher/mime-view.js';
export { parseQuery } from './api-v1/search-query.js';
export * as HTTP_LIMITS from './limits.js';
export {
  answerAutoconfig,
  appleMobileconfig,
  autodiscoverResponseXml,
  pickEndpoint,
  thunderbirdConfigXml,
  type ClientSettings,
  type ServerEndpoint,
} from './autoconfig/index.js';
export type { ChaosControl } from './api-v1/chaos-routes.js';
export { parsePasswordFile } from './basic-auth.js';
export type { BasicAuthOptions } from './basic-auth.js';
export type { ReleaseSender } from './api-v1/release-route.js';
export type { RetentionOptions } from './catcher/retention.js';
export type { WebhookOptions } from './webhooks.js';
