import { AuthConfigError, createAuth, type ExternalIdentity, type ExternalIssuerOptions } from 'authjwt';
import { describe, expect, it } from 'vitest';
import {
  claimsFor,
  closedAfterEach,
  es256Key,
  es256Token,
  refusal,
  type SigningKey,
  startKeySetIssuer,
  type TestIssuer,
} from '../helpers/test-issuer.js';

/*
 * Issue 14, point 3: sign-in with an ID token of a configured issuer (OpenID Connect Core section
 * 3.1.3.7) into an ordinary session. The rules, each refused on its own: audience = the client id,
 * not an access token's audience; `azp`; `nonce`; age of `iat`; an RFC 9068 access token is no ID
 * token; the application's mapping decides the user and may refuse. The real provider's ID tokens:
 * oidc-provider-sign-in.test.ts.
 */

const secret = 'id-token-login-test-secret-0123456789abcdef';
const open = closedAfterEach();

async function issuerWith(key: SigningKey): Promise<TestIssuer> {
  const issuer = await startKeySetIssuer([key]);
  open.push(issuer);
  return issuer;
}

/** Options over the defaults below; `undefined` leaves one out. */
type Overrides = { [Name in keyof ExternalIssuerOptions]?: ExternalIssuerOptions[Name] | undefined };

function authFor(issuer: TestIssuer, overrides: Overrides = {}) {
  const options = {
    issuer: issuer.url,
    jwksUri: `${issuer.url}/jwks`,
    audience: 'api',
    clientId: 'web-app',
    algorithms: ['ES256'],
    allowHttp: true,
    ...overrides,
  };
  const given = Object.entries(options).filter(([, value]) => value !== undefined);
  const auth = createAuth({
    signingKey: { alg: 'HS256', key: secret },
    externalIssuers: [Object.fromEntries(given) as unknown as ExternalIssuerOptions],
  });
  open.push(auth);
  return auth;
}

const idClaims = (issuer: TestIssuer, extra: Record<string, unknown> = {}) =>
  claimsFor(issuer.url, { aud: 'web-app', sub: 'person-7', nonce: 'n-0S6_WzA2Mj', ...extra });

const asUser = (identity: ExternalIdentity) => ({
  subject: `ext:${identity.subject}`,
  claims: { roles: ['user'] },
});

describe('loginWithIdToken', () => {
  it('starts an ordinary session for the user the mapping names, from a verified ID token', async () => {
    const key = es256Key('k1');
    const issuer = await issuerWith(key);
    const auth = authFor(issuer);
    const seen: ExternalIdentity[] = [];
    const pair = await auth.loginWithIdToken({
      idToken: es256Token(key, idClaims(issuer)),
      nonce: 'n-0S6_WzA2Mj',
      userAgent: 'test-agent',
      ip: '127.0.0.1',
      user: (identity) => {
        seen.push(identity);
        return asUser(identity);
      },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      issuer: issuer.url,
      subject: 'person-7',
      claims: { nonce: 'n-0S6_WzA2Mj' },
    });
    expect(Object.isFrozen(seen[0]?.claims)).toBe(true);

    // The session is authjwt's own: its tokens authenticate, list, refresh and log out like any login's.
    const context = await auth.authenticate(pair.accessToken);
    expect(context).toMatchObject({
      subject: 'ext:person-7',
      issuer: undefined,
      roles: ['user'],
      fresh: true,
    });
    const sessions = await auth.listSessions('ext:person-7', pair.sessionId);
    expect(sessions).toMatchObject([{ id: pair.sessionId, current: true, userAgent: 'test-agent' }]);
    const next = await auth.refresh(pair.refreshToken);
    await auth.logout(next.accessToken);
    expect((await refusal(auth.authenticate(next.accessToken))).code).toBe('token_revoked');
  });

  it('needs no nonce when the application passes none', async () => {
    const key = es256Key('k1');
    const issuer = await issuerWith(key);
    const auth = authFor(issuer);
    const { nonce: _, ...withoutNonce } = idClaims(issuer);
    const pair = await auth.loginWithIdToken({ idToken: es256Token(key, withoutNonce), user: asUser });
    expect((await auth.authenticate(pair.accessToken)).subject).toBe('ext:person-7');
  });

  it.each([
    ['a nonce other than the one passed', { nonce: 'n-other' }, {}, 'token_invalid', 'nonce'],
    ['no nonce when one was passed', { nonce: undefined }, {}, 'token_invalid', 'nonce'],
    ["an access token's audience", { aud: 'api' }, {}, 'token_invalid', 'aud'],
    ['several audiences without azp', { aud: ['web-app', 'other'] }, {}, 'token_invalid', 'azp'],
    ['an azp of another client', { azp: 'other' }, {}, 'token_invalid', 'azp'],
    ['no iat', { iat: undefined }, {}, 'token_invalid', 'iat'],
    ['no sub', { sub: undefined }, {}, 'token_invalid', 'sub'],
    [
      'an iat older than idTokenMaxAge',
      { iat: Math.floor(Date.now() / 1000) - 700 },
      {},
      'token_expired',
      'iat',
    ],
    ['an expired token', { exp: Math.floor(Date.now() / 1000) - 1 }, {}, 'token_expired', undefined],
    ['another issuer', { iss: 'https://elsewhere.example' }, {}, 'token_invalid', 'issuer_unknown'],
    [
      'an RFC 9068 access token',
      { client_id: 'web-app', jti: 'j1' },
      { typ: 'at+jwt' },
      'wrong_token_type',
      'typ_header',
    ],
  ])('refuses %s', async (_name, claims, header, code, reason) => {
    const key = es256Key('k1');
    const issuer = await issuerWith(key);
    const auth = authFor(issuer);
    let mapped = 0;
    const error = await refusal(
      auth.loginWithIdToken({
        idToken: es256Token(key, idClaims(issuer, claims), header),
        nonce: 'n-0S6_WzA2Mj',
        user: (identity) => {
          mapped++;
          return asUser(identity);
        },
      }),
    );
    expect({ code: error.code, reason: error.reason }).toEqual({ code, reason });
    expect(mapped).toBe(0);
  });

  it('accepts several audiences when azp names this client', async () => {
    const key = es256Key('k1');
    const issuer = await issuerWith(key);
    const auth = authFor(issuer);
    const idToken = es256Token(key, idClaims(issuer, { aud: ['web-app', 'other'], azp: 'web-app' }));
    await expect(
      auth.loginWithIdToken({ idToken, nonce: 'n-0S6_WzA2Mj', user: asUser }),
    ).resolves.toBeTruthy();
  });

  it('refuses a token signed by a key outside the issuer set', async () => {
    const issuer = await issuerWith(es256Key('k1'));
    const auth = authFor(issuer);
    const forged = es256Token(es256Key('k1'), idClaims(issuer));
    const error = await refusal(
      auth.loginWithIdToken({ idToken: forged, nonce: 'n-0S6_WzA2Mj', user: asUser }),
    );
    expect({ code: error.code, reason: error.reason }).toEqual({
      code: 'token_invalid',
      reason: 'signature',
    });
  });

  it('refuses with invalid_credentials when the mapping finds no user, and starts no session', async () => {
    const key = es256Key('k1');
    const issuer = await issuerWith(key);
    const auth = authFor(issuer);
    const error = await refusal(
      auth.loginWithIdToken({
        idToken: es256Token(key, idClaims(issuer)),
        nonce: 'n-0S6_WzA2Mj',
        user: async () => null,
      }),
    );
    expect(error.code).toBe('invalid_credentials');
    expect(await auth.listSessions('ext:person-7')).toEqual([]);
  });

  it('refuses a deactivated user as login does', async () => {
    const key = es256Key('k1');
    const issuer = await issuerWith(key);
    const auth = authFor(issuer);
    await auth.deactivateUser('ext:person-7');
    const error = await refusal(
      auth.loginWithIdToken({
        idToken: es256Token(key, idClaims(issuer)),
        nonce: 'n-0S6_WzA2Mj',
        user: asUser,
      }),
    );
    expect(error.code).toBe('user_inactive');
  });

  it('signs no one in for an issuer without clientId, and accepts none of its ID tokens as access tokens', async () => {
    const key = es256Key('k1');
    const issuer = await issuerWith(key);
    const auth = authFor(issuer, { clientId: undefined });
    const idToken = es256Token(key, idClaims(issuer));
    const error = await refusal(auth.loginWithIdToken({ idToken, nonce: 'n-0S6_WzA2Mj', user: asUser }));
    expect({ code: error.code, reason: error.reason }).toEqual({ code: 'token_invalid', reason: 'aud' });
    // The ID token's audience is the client id, not the API's: the access guard refuses it too.
    expect((await refusal(auth.authenticateExternal(idToken))).reason).toBe('aud');
  });

  it('checks its options at construction', async () => {
    const issuer = await issuerWith(es256Key('k1'));
    const build = (extra: Overrides) => () => authFor(issuer, extra);
    expect(build({ audience: undefined, clientId: undefined })).toThrow(AuthConfigError);
    expect(build({ clientId: '' })).toThrow(/clientId/);
    expect(build({ idTokenMaxAge: 0 })).toThrow(/idTokenMaxAge/);
    // An issuer for sign-in only: no audience of access tokens.
    expect(build({ audience: undefined })).not.toThrow();
  });

  it('takes a user mapping and a string token, and answers other input with a refusal, never a crash', async () => {
    const key = es256Key('k1');
    const issuer = await issuerWith(key);
    const auth = authFor(issuer);
    await expect(auth.loginWithIdToken({ idToken: 'x', user: undefined as never })).rejects.toThrow(
      TypeError,
    );
    for (const idToken of [undefined, 42, '', 'a.b', 'a.b.c', {}]) {
      const error = await refusal(auth.loginWithIdToken({ idToken, user: asUser }));
      expect(error.code).toBe('token_invalid');
    }
  });
});
