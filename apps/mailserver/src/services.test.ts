import { describe, expect, it } from 'vitest';
import { ingestsMail, SERVICE_NAMES, selectServices } from './services.js';

describe('ingestsMail (the store then writes on its writer thread, docs/adr/0013)', () => {
  it('is true for a process running SMTP in or submission, and only then', () => {
    expect(ingestsMail(['smtp'])).toBe(true);
    expect(ingestsMail(['imap', 'submission'])).toBe(true);
    expect(ingestsMail(['relay', 'pop3', 'imap', 'http'])).toBe(false);
    expect(ingestsMail([])).toBe(false);
  });

  it('is true for the default selection, which runs every service', () => {
    expect(selectServices(undefined)).toEqual(SERVICE_NAMES);
    expect(ingestsMail(selectServices(undefined))).toBe(true);
  });
});
