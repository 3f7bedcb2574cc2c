import type { MailStore } from '@minimail/store';
import type { Config } from '../config.js';
import { openConfiguredStore } from '../open-store.js';

/** Opens the store of the configured data dir for one admin command, and always closes it. */
export async function withStore<T>(config: Config, work: (store: MailStore) => Promise<T>): Promise<T> {
  const store = await openConfiguredStore(config);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
