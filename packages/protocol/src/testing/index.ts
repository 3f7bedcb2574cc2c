export { RawClient, RawClientError, type RawClientOptions } from './raw-client.js';
export { FUZZ_LONG, FUZZ_SEED, heapGrowthBytes, int, pick, prng } from './fuzz.js';
export { capturingLogger } from './capturing-logger.js';
export { metricSample, scrapeWhen } from './metric-sample.js';
export { selfSignedPemPair } from './pem-pair.js';
export { onceClosed, socketPair, type SocketPair } from './socket-pair.js';
export { tlsPeerName } from './tls-peer-name.js';
export { childPort } from './child-port.js';
