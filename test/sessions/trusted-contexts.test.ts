import type { Auth, AuthContext } from 'authjwt';
import { describe, expect, it } from 'vitest';
import { codeOf, makeAuth } from './fixtures.js';

/*
 * Issue 11, point 1: a context is proof that this auth instance verified a token, so only a context
 * it made may stand for one. `auth.refresh(req.body.refresh_token)` must not turn a JSON body into an
 * admin's token pair, nor `auth.logout(req.body)` end another user's session.
 */

type Forgery = (real: AuthContext, other: Auth) => Promise<unknown>;

/** Objects that look like contexts but were not made by the instance they are handed to. */
const forgeries: Record<string, Forgery> = {
  'a plain object shaped like a context': async (real) => ({
    subject: real.subject,
    sessionId: real.sessionId,
    claims: { ...real.claims },
    tokenType: real.tokenType,
    roles: ['admin'],
    fresh: true,
    user: undefined,
    renewedAccessToken: undefined,
  }),
  'a copy of a real context ({ ...context })': async (real) => ({ ...real }),
  'JSON.parse output of a real context': async (real) => JSON.parse(JSON.stringify(real)),
  'an object whose prototype is a real context': async (real) => Object.create(real),
  "another auth instance's context (same keys, same store)": async (real, other) =>
    real.tokenType === 'refresh'
      ? other.authenticateRefresh(await reissue(other, real))
      : other.authenticate(await reissue(other, real)),
};

/** A token for the same user and session, verified by the other instance, for its own context. */
async function reissue(other: Auth, real: AuthContext): Promise<string> {
  const input = { subject: real.subject, ...(real.sessionId !== undefined && { sessionId: real.sessionId }) };
  return real.tokenType === 'refresh'
    ? other.tokens.signRefreshToken({ ...input, jti: real.claims.jti }).token
    : other.tokens.signAccessToken(input).token;
}

describe('only contexts this instance made are trusted', () => {
  /** Two instances with the same keys on the same store: tokens pass on both, contexts on neither's twin. */
  function twoInstances() {
    const { auth, store } = makeAuth();
    const { auth: other } = makeAuth({}, store);
    return { auth, other };
  }

  for (const [name, forge] of Object.entries(forgeries)) {
    it(`refresh refuses ${name} (token_invalid) and issues nothing`, async () => {
      const { auth, other } = twoInstances();
      const victim = await auth.login({ subject: 'admin', claims: { roles: ['admin'] } });
      const forged = await forge(await auth.authenticateRefresh(victim.refreshToken), other);
      expect(await codeOf(auth.refresh(forged))).toBe('token_invalid');
      // The victim's session is untouched: its refresh token still rotates once.
      await expect(auth.refresh(victim.refreshToken)).resolves.toMatchObject({
        sessionId: expect.any(String),
      });
    });

    it(`logout refuses ${name} (token_invalid) and ends nothing`, async () => {
      const { auth, other } = twoInstances();
      const victim = await auth.login({ subject: 'bob' });
      const forged = await forge(await auth.authenticate(victim.accessToken), other);
      expect(await codeOf(auth.logout(forged as AuthContext))).toBe('token_invalid');
      await expect(auth.authenticate(victim.accessToken)).resolves.toMatchObject({
        subject: 'bob',
        sessionId: victim.sessionId,
      });
    });

    it(`requireRoles refuses ${name} (token_invalid)`, async () => {
      const { auth, other } = twoInstances();
      const user = await auth.login({ subject: 'admin', claims: { roles: ['admin'] } });
      const forged = await forge(await auth.authenticate(user.accessToken), other);
      let code: string | undefined;
      try {
        auth.requireRoles(forged as AuthContext, ['admin']);
      } catch (error) {
        code = (error as { code?: string }).code;
      }
      expect(code).toBe('token_invalid');
    });

    it(`logoutOthers refuses ${name} (token_invalid) and ends nothing`, async () => {
      const { auth, other } = twoInstances();
      const kept = await auth.login({ subject: 'bob' });
      const ended = await auth.login({ subject: 'bob' });
      const forged = await forge(await auth.authenticate(kept.accessToken), other);
      expect(await codeOf(auth.logoutOthers(forged as AuthContext))).toBe('token_invalid');
      await expect(auth.authenticate(ended.accessToken)).resolves.toMatchObject({
        sessionId: ended.sessionId,
      });
    });
  }

  it('refresh takes the token string, or the refresh context this instance verified', async () => {
    const { auth } = twoInstances();
    const pair = await auth.login({ subject: 'alice' });
    const rotated = await auth.refresh(await auth.authenticateRefresh(pair.refreshToken));
    await expect(auth.refresh(rotated.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('refresh refuses an access context of this instance (wrong_token_type)', async () => {
    const { auth } = twoInstances();
    const pair = await auth.login({ subject: 'alice' });
    expect(await codeOf(auth.refresh(await auth.authenticate(pair.accessToken)))).toBe('wrong_token_type');
  });

  it('refresh refuses what a JSON body may hold instead of a token: null, numbers, arrays, objects', async () => {
    const { auth } = twoInstances();
    for (const value of [undefined, null, 42, ['a.b.c'], {}, { refresh_token: 'x' }]) {
      expect(await codeOf(auth.refresh(value))).toBe('token_invalid');
    }
  });

  it('logout takes an access or a refresh token string, or a context of this instance', async () => {
    const { auth } = twoInstances();
    const byAccess = await auth.login({ subject: 'alice' });
    const byRefresh = await auth.login({ subject: 'alice' });
    const byContext = await auth.login({ subject: 'alice' });
    await auth.logout(byAccess.accessToken);
    await auth.logout(byRefresh.refreshToken);
    await auth.logout(await auth.authenticate(byContext.accessToken));
    expect(await codeOf(auth.authenticate(byAccess.accessToken))).toBe('token_revoked');
    expect(await codeOf(auth.refresh(byRefresh.refreshToken))).toBe('token_revoked');
    expect(await codeOf(auth.authenticate(byContext.accessToken))).toBe('token_revoked');
  });

  it('what the core trusts in a context cannot be altered: its claims and roles are frozen', async () => {
    const { auth } = twoInstances();
    const pair = await auth.login({ subject: 'alice', claims: { roles: ['user'] } });
    const context = await auth.authenticate(pair.accessToken);
    expect(() => {
      (context.claims as { sub: string }).sub = 'admin';
    }).toThrow(TypeError);
    expect(() => {
      (context.roles as string[]).push('admin');
    }).toThrow(TypeError);
    expect(context.claims.sub).toBe('alice');
  });

  it("reassigning a context's public fields changes nothing the core decides", async () => {
    const { auth } = twoInstances();
    const victim = await auth.login({ subject: 'bob' });
    const pair = await auth.login({ subject: 'alice', claims: { roles: ['user'] } });
    const context = await auth.authenticate(pair.accessToken);
    const victimClaims = (await auth.authenticate(victim.accessToken)).claims;
    Object.assign(context, {
      subject: 'bob',
      claims: victimClaims,
      roles: ['admin'],
      tokenType: 'refresh',
    });
    let code: string | undefined;
    try {
      auth.requireRoles(context, ['admin']);
    } catch (error) {
      code = (error as { code?: string }).code;
    }
    expect(code).toBe('insufficient_role');
    expect(await codeOf(auth.refresh(context))).toBe('wrong_token_type');
    await auth.logout(context);
    // The context's own session ended, not the one its public claims now name.
    expect(await codeOf(auth.authenticate(pair.accessToken))).toBe('token_revoked');
    await expect(auth.authenticate(victim.accessToken)).resolves.toMatchObject({ subject: 'bob' });
  });
});
