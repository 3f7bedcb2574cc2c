export {
  MAX_ADDRESS_LENGTH,
  escapeXml,
  parseAddress,
  pickEndpoint,
  type ClientSettings,
  type ServerEndpoint,
  type SocketType,
} from './client-settings.js';
export { thunderbirdConfigXml } from './thunderbird.js';
export { autodiscoverRequestAddress, autodiscoverResponseXml } from './autodiscover.js';
export { appleMobileconfig } from './mobileconfig.js';
export {
  AUTOCONFIG_PATHS,
  MAX_AUTODISCOVER_BODY,
  answerAutoconfig,
  isAutoconfigPath,
  type AutoconfigRequest,
  type AutoconfigResponse,
} from './answer.js';
