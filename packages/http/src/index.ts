export { createHttpServer, buildApp } from './server.js';
export type { HttpListener, HttpServiceOptions } from './options.js';
export type { CaughtMessage, CaughtSummary } from './catcher/caught-mail.js';
export type { AttachmentInfo, HeaderField } from './catcher/message-view.js';
export { indexBody } from './catcher/mime-view.js';
export { parseQuery } from './api-v1/search-query.js';
export * as HTTP_LIMITS from './limits.js';
export type { ChaosControl } from './api-v1/chaos-routes.js';
