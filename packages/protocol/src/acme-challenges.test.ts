import { describe, expect, it } from 'vitest';
import { AcmeChallengeResponder, answerAcmeHttp01 } from './acme-challenges.js';

describe('ACME HTTP-01 answers (RFC 8555 8.3)', () => {
  const responder = new AcmeChallengeResponder();
  const token = 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA';
  responder.setHttp01(token, `${token}.thumbprint`);

  it('answers a known token with the key authorization', () => {
    expect(answerAcmeHttp01(responder, `/.well-known/acme-challenge/${token}`)).toEqual({
      status: 200,
      contentType: 'application/octet-stream',
      body: `${token}.thumbprint`,
    });
  });
  it.each([
    '/.well-known/acme-challenge/unknownTokenThatIsLongEnough',
    '/.well-known/acme-challenge/',
    `/.well-known/acme-challenge/${token}/../x`,
    `/.well-known/acme-challenge/${'a'.repeat(200)}`,
  ])('404 for %s', (path) => {
    expect(answerAcmeHttp01(responder, path)?.status).toBe(404);
  });
  it('leaves other paths to the caller, and forgets removed tokens', () => {
    expect(answerAcmeHttp01(responder, '/healthz')).toBeNull();
    responder.deleteHttp01(token);
    expect(answerAcmeHttp01(responder, `/.well-known/acme-challenge/${token}`)?.status).toBe(404);
  });
});
