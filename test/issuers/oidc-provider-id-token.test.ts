import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAccountId, startProvider, type TestProvider, webClientId } from '../helpers/oidc-provider.js';

/*
 * The test provider's ID tokens: a real OpenID Connect sign-in (authorization code flow with PKCE,
 * the interaction answered by the helper, cookies carried by hand) at oidc-provider on loopback.
 * The tokens are checked as a relying party would: signature against the provider's /jwks, then the
 * claims OpenID Connect Core 1.0 section 2 requires.
 */

let provider: TestProvider;

beforeAll(async () => {
  provider = await startProvider();
});
afterAll(() => provider.close());

async function publishedKids(issuer: string): Promise<string[]> {
  const response = await fetch(`${issuer}/jwks`);
  const { keys } = (await response.json()) as { keys: { kid: string }[] };
  return keys.map(({ kid }) => kid);
}

/** Verifies as a relying party: the provider's published keys, its issuer, the web client as audience. */
async function verified(idToken: string, issuer = provider.issuer) {
  const keys = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const { payload, protectedHeader } = await jwtVerify(idToken, keys, {
    issuer,
    audience: webClientId,
    algorithms: ['RS256'],
  });
  return { payload, protectedHeader };
}

describe('TestProvider.idToken()', () => {
  it('signs in the named account and returns an ID token signed with a published key, carrying the nonce', async () => {
    const idToken = await provider.idToken({ accountId: 'bob', nonce: 'nonce-0123456789' });

    expect(await publishedKids(provider.issuer)).toContain(decodeProtectedHeader(idToken).kid);
    const { payload, protectedHeader } = await verified(idToken);
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.iss).toBe(provider.issuer);
    expect(payload.aud).toBe(webClientId);
    expect(payload.sub).toBe('bob');
    expect(payload.nonce).toBe('nonce-0123456789');
    expect(payload.iat).toEqual(expect.any(Number));
    expect(payload.exp).toEqual(expect.any(Number));
    expect(Number(payload.exp) - Number(payload.iat)).toBeGreaterThan(0);
  });

  it('signs in the default account when none is named, and adds no nonce when none was sent', async () => {
    const { payload } = await verified(await provider.idToken());

    expect(payload.sub).toBe(defaultAccountId);
    expect(payload).not.toHaveProperty('nonce');
    expect(payload).not.toHaveProperty('email');
  });

  it('runs every sign-in on its own: two accounts in a row get their own subjects', async () => {
    const first = await verified(await provider.idToken({ accountId: 'carol' }));
    const second = await verified(await provider.idToken({ accountId: 'dave' }));

    expect([first.payload.sub, second.payload.sub]).toEqual(['carol', 'dave']);
  });

  it('adds the email claim when the scope asks for it', async () => {
    const { payload } = await verified(await provider.idToken({ accountId: 'erin', scope: 'openid email' }));

    expect(payload.sub).toBe('erin');
    expect(payload.email).toBe('erin@example.test');
  });

  it('fails loudly when the sign-in yields no ID token (no openid scope)', async () => {
    await expect(provider.idToken({ scope: 'email' })).rejects.toThrow(/no ID token/);
  });

  it('signs new ID tokens with the new key after rotate(), and they verify against the new /jwks', async () => {
    const rotating = await startProvider();
    try {
      const before = await rotating.idToken();
      const kid = await rotating.rotate();
      const after = await rotating.idToken({ nonce: 'after-rotation' });

      expect(decodeProtectedHeader(before).kid).not.toBe(kid);
      expect(decodeProtectedHeader(after).kid).toBe(kid);
      expect(await publishedKids(rotating.issuer)).toEqual(
        expect.arrayContaining([kid, decodeProtectedHeader(before).kid]),
      );
      const { payload } = await verified(after, rotating.issuer);
      expect(payload.nonce).toBe('after-rotation');
      await expect(verified(before, rotating.issuer)).resolves.toBeDefined();
    } finally {
      await rotating.close();
    }
  });
});
