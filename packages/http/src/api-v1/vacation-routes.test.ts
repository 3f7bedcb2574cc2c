import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from '../test-support/http-client.js';
import { startHttp, type Setup } from '../test-support/setup.js';

describe('/api/v1/mailboxes/{address}/vacation', () => {
  let setup: Setup;
  beforeEach(async () => {
    setup = await startHttp('dev');
  });
  afterEach(async () => setup?.close());

  const put = (address: string, body: unknown) =>
    request(
      setup.port,
      'PUT',
      `/api/v1/mailboxes/${encodeURIComponent(address)}/vacation`,
      { 'content-type': 'application/json' },
      {},
      JSON.stringify(body),
    );
  const settings = {
    Enabled: true,
    Subject: 'Out "of" office',
    Message: 'Back soon.\nAnn',
    Days: 5,
    From: 'ann.b@dev.test',
    Addresses: ['ann.b@dev.test'],
  };

  it('answers 404 for an unknown mailbox and defaults (off) for one without a vacation script', async () => {
    expect((await request(setup.port, 'GET', '/api/v1/mailboxes/nobody%40dev.test/vacation')).status).toBe(
      404,
    );
    const user = await setup.store.ensureUser('ann@dev.test');
    const answer = await request(setup.port, 'GET', '/api/v1/mailboxes/ann%40dev.test/vacation');
    expect(answer.json()).toEqual({
      Enabled: false,
      Subject: '',
      Message: '',
      Days: 7,
      From: '',
      Addresses: [],
    });
    expect(await setup.store.listSieveScripts(user.id)).toEqual([]);
  });

  it('stores the settings as the active vacation script, reads them back, and turns it off', async () => {
    const saved = await put('ann@dev.test', settings);
    expect(saved.status).toBe(200);
    expect(saved.json()).toEqual(settings);
    const user = (await setup.store.getUser('ann@dev.test'))!;
    expect(await setup.store.getSieveScript(user.id, 'vacation')).toBe(
      'require ["vacation"];\r\nvacation :days 5 :subject "Out \\"of\\" office" :from "ann.b@dev.test" :addresses ["ann.b@dev.test"] "Back soon.\r\nAnn";\r\n',
    );
    expect(await setup.store.listSieveScripts(user.id)).toEqual([{ name: 'vacation', active: true }]);
    const off = await put('ann@dev.test', { ...settings, Enabled: false });
    expect(off.json()).toEqual({ ...settings, Enabled: false });
    expect(await setup.store.listSieveScripts(user.id)).toEqual([{ name: 'vacation', active: false }]);
  });

  it('refuses settings the script cannot hold with 400 and the reason', async () => {
    expect((await put('ann@dev.test', { ...settings, Days: 31 })).status).toBe(400);
    const empty = await put('ann@dev.test', { ...settings, Message: '  ' });
    expect([empty.status, empty.json()]).toEqual([400, { error: 'a vacation reply needs a message' }]);
    const bad = await put('ann@dev.test', { ...settings, Addresses: ['not an address'] });
    expect([bad.status, bad.json()]).toEqual([400, { error: 'not an address: not an address' }]);
  });
});
