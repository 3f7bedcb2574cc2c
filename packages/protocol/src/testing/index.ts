export { RawClient, RawClientError, type RawClientOptions } from './raw-client.js';
export { FUZZ_LONG, FUZZ_SEED, int, pick, prng } from './fuzz.js';
