export { RawClient, RawClientError, type RawClientOptions } from './raw-client.js';
