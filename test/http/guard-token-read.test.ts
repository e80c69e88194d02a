import { type AuthError, createAuth } from 'authjwt';
import { createHttpAuth, nodeRequestReader } from 'authjwt/http';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * The guard finds a token the verified-token cache holds by the whole header value it came in
 * (VerifiedTokenCache.tokenPresentedAs), before reading the header the usual way. Whatever the cache
 * holds, a header value must be read exactly as readBearerCredentials reads it: these values are
 * sent after the token was cached, so each would pass through the cache first.
 */

const auth = createAuth({ signingKey: { alg: 'HS256', key: 'guard-token-read-secret-0123456789abcdef' } });
const http = createHttpAuth({ auth });
const guard = http.requireAccess();
afterAll(() => auth.close());

type Outcome = { subject: string } | { code: string; reason: string | undefined } | 'no context';

async function check(authorization: string): Promise<Outcome> {
  const request = { headers: { authorization, host: 'api.test' }, method: 'GET', socket: {} };
  try {
    const admission = await guard.check(request as never, nodeRequestReader);
    return admission.context === null ? 'no context' : { subject: admission.context.subject };
  } catch (error) {
    return { code: (error as AuthError).code, reason: (error as AuthError).reason };
  }
}

describe('a guard reading a header that carries a cached token', () => {
  it('admits the token in new strings of the same value, in the usual and the general forms', async () => {
    const { accessToken } = await auth.login({ subject: 'alice' });
    // Verified and cached by the first check, found by the header value from the second on.
    for (let use = 0; use < 3; use++) {
      expect(await check(['Bearer ', accessToken].join(''))).toEqual({ subject: 'alice' });
    }
    expect(await check(`bearer ${accessToken}`)).toEqual({ subject: 'alice' });
    expect(await check(`  Bearer ${accessToken}  `)).toEqual({ subject: 'alice' });
  });

  it('refuses what it refused before the token was cached, for the same reason', async () => {
    const { accessToken } = await auth.login({ subject: 'bob' });
    expect(await check(`Bearer ${accessToken}`)).toEqual({ subject: 'bob' });
    const malformed = { code: 'token_invalid', reason: 'authorization_malformed' };
    // Two values, the cached token first or last: the same last characters, so the same cache key.
    expect(await check(`Bearer x ${accessToken}`)).toEqual(malformed);
    expect(await check(`Bearer ${accessToken} ${accessToken}`)).toEqual(malformed);
    expect(await check(`Bearer ${accessToken.slice(0, 40)} ${accessToken.slice(40)}`)).toEqual(malformed);
    // The same length and last characters, one character of the claims changed: verified, and refused.
    const altered = `${accessToken.slice(0, 50)}${accessToken[50] === 'A' ? 'B' : 'A'}${accessToken.slice(51)}`;
    expect(await check(`Bearer ${altered}`)).toMatchObject({ code: 'token_invalid' });
    // Characters before the token, none of them a space: not the cached token, and not a valid one.
    expect(await check(`Bearer x${accessToken}`)).toMatchObject({ code: 'token_invalid' });
    // Extra spaces around the credentials are read off by the general path, as before.
    expect(await check(`Bearer  ${accessToken}`)).toEqual({ subject: 'bob' });
    // Another scheme is no token at all.
    expect(await check(`Basic ${accessToken}`)).toEqual({ code: 'token_missing', reason: undefined });
  });

  it('refuses the cached token once its session ended, however it is sent', async () => {
    const { accessToken } = await auth.login({ subject: 'carol' });
    expect(await check(`Bearer ${accessToken}`)).toEqual({ subject: 'carol' });
    await auth.logout(await auth.authenticate(accessToken));
    expect(await check(`Bearer ${accessToken}`)).toMatchObject({ code: 'token_revoked' });
    expect(await check(`bearer ${accessToken}`)).toMatchObject({ code: 'token_revoked' });
  });
});
