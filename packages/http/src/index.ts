export { createHttpServer } from './server.js';
export type { HttpListener, HttpServiceOptions } from './options.js';
export type { CaughtMessage, CaughtSummary } from './catcher/caught-mail.js';
export type { AttachmentInfo, HeaderField } from './catcher/message-view.js';
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
