export { freePort, pebbleUnavailable, startPebble, type Pebble, type PebbleOptions } from './pebble.js';
