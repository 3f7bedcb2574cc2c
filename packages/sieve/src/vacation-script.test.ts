import { describe, expect, it } from 'vitest';
import {
  applyVacation,
  readVacation,
  readVacationScript,
  vacationScript,
  VacationSettingsError,
  type VacationScripts,
} from './vacation-script.js';

/** The user's scripts in a Map: the four methods the settings code calls, with the store's meaning. */
function scripts(): VacationScripts & { saved: Map<string, string>; active: string | null } {
  const saved = new Map<string, string>();
  const state = {
    saved,
    active: null as string | null,
    getSieveScript: async (_user: number, name: string) => saved.get(name) ?? null,
    putSieveScript: async (_user: number, name: string, content: string) => void saved.set(name, content),
    activateSieveScript: async (_user: number, name: string | null) => void (state.active = name),
    activeSieveScript: async () => (state.active === null ? null : { name: state.active }),
  };
  return state;
}

describe('vacation settings <-> script', () => {
  const settings = {
    subject: 'Away "until" Monday \\o/',
    message: 'Back on Monday.\nBob',
    days: 3,
    from: 'bob@example.test',
    addresses: ['robert@example.test', 'b@example.test'],
  };

  it('writes the script RFC 5230 reads, and reads the same settings back', () => {
    const script = vacationScript(settings);
    expect(script).toBe(
      'require ["vacation"];\r\nvacation :days 3 :subject "Away \\"until\\" Monday \\\\o/" :from "bob@example.test" :addresses ["robert@example.test", "b@example.test"] "Back on Monday.\r\nBob";\r\n',
    );
    expect(readVacationScript(script)).toEqual(settings);
    expect(readVacationScript('require ["fileinto"];\r\nfileinto "x";\r\n')).toBeNull();
    expect(readVacationScript('this is not sieve')).toBeNull();
  });

  it('activates on, deactivates off (keeping the text), and refuses what the script cannot hold', async () => {
    const store = scripts();
    expect(await readVacation(store, 1)).toEqual({
      enabled: false,
      subject: null,
      message: '',
      days: 7,
      from: null,
      addresses: [],
    });
    await applyVacation(store, 1, { ...settings, enabled: true });
    expect(store.active).toBe('vacation');
    expect(await readVacation(store, 1)).toEqual({ ...settings, enabled: true });
    await applyVacation(store, 1, { ...settings, enabled: false });
    expect(store.active).toBeNull();
    expect(await readVacation(store, 1)).toEqual({ ...settings, enabled: false });
    // Turning off never deactivates another script the user made active.
    store.active = 'main';
    await applyVacation(store, 1, { ...settings, message: '', enabled: false });
    expect(store.active).toBe('main');
    for (const bad of [
      { days: 0 },
      { days: 31 },
      { message: ' ' },
      { subject: 'two\nlines' },
      { from: 'nobody' },
      { addresses: ['a@b', 'not an address'] },
    ]) {
      await expect(applyVacation(store, 1, { ...settings, enabled: true, ...bad })).rejects.toThrow(
        VacationSettingsError,
      );
    }
  });
});
