import { describe, expect, it } from 'vitest';
import { codeOf, makeAuth } from './fixtures.js';

describe('stateful sessions: login, check, logout', () => {
  it('login creates a session that authenticate honours and listSessions shows with its device', async () => {
    const { auth } = makeAuth();
    const pair = await auth.login({ subject: 'alice', userAgent: 'Firefox', ip: '192.0.2.1' });
    const context = await auth.authenticate(pair.accessToken);
    expect(context.sessionId).toBe(pair.sessionId);
    const sessions = await auth.listSessions('alice', pair.sessionId);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({
      id: pair.sessionId,
      userAgent: 'Firefox',
      ip: '192.0.2.1',
      current: true,
    });
  });

  it('logout ends the session: its access and refresh tokens are refused (token_revoked)', async () => {
    const { auth } = makeAuth();
    const pair = await auth.login({ subject: 'alice' });
    await auth.logout(await auth.authenticate(pair.accessToken));
    expect(await codeOf(auth.authenticate(pair.accessToken))).toBe('token_revoked');
    expect(await codeOf(auth.refresh(pair.refreshToken))).toBe('token_revoked');
  });

  it('logoutAll ends every session of the user and no other user', async () => {
    const { auth } = makeAuth();
    const a1 = await auth.login({ subject: 'alice' });
    const a2 = await auth.login({ subject: 'alice' });
    const b = await auth.login({ subject: 'bob' });
    expect(await auth.logoutAll('alice')).toBe(2);
    expect(await codeOf(auth.authenticate(a1.accessToken))).toBe('token_revoked');
    expect(await codeOf(auth.authenticate(a2.accessToken))).toBe('token_revoked');
    await expect(auth.authenticate(b.accessToken)).resolves.toMatchObject({ subject: 'bob' });
  });

  it("revokeSession ends another device of the same user, and only the user's own", async () => {
    const { auth } = makeAuth();
    const phone = await auth.login({ subject: 'alice' });
    const laptop = await auth.login({ subject: 'alice' });
    expect(await auth.revokeSession('bob', phone.sessionId)).toBe(false);
    expect(await auth.revokeSession('alice', phone.sessionId)).toBe(true);
    expect(await codeOf(auth.authenticate(phone.accessToken))).toBe('token_revoked');
    await expect(auth.authenticate(laptop.accessToken)).resolves.toMatchObject({
      subject: 'alice',
      sessionId: laptop.sessionId,
    });
    expect(await auth.revokeSession('alice', phone.sessionId)).toBe(false);
  });

  it('refuses a token whose session never existed (an allow list, not a deny list)', async () => {
    const { auth } = makeAuth();
    const access = auth.tokens.signAccessToken({ subject: 'alice', sessionId: 'made-up' });
    expect(await codeOf(auth.authenticate(access.token))).toBe('token_revoked');
    const noSession = auth.tokens.signAccessToken({ subject: 'alice' });
    expect(await codeOf(auth.authenticate(noSession.token))).toBe('token_invalid');
  });

  it('refuses a token whose sid belongs to another user', async () => {
    const { auth } = makeAuth();
    const bob = await auth.login({ subject: 'bob' });
    const forged = auth.tokens.signAccessToken({ subject: 'alice', sessionId: bob.sessionId });
    expect(await codeOf(auth.authenticate(forged.token))).toBe('token_revoked');
  });
});

describe('stateful sessions: refresh rotation and reuse detection', () => {
  it('each refresh token works once; the new one carries the same session and the app claims', async () => {
    const { auth } = makeAuth({ sessions: { refreshReuseGrace: 0 } });
    const first = await auth.login({ subject: 'alice', claims: { roles: ['user'] } });
    const second = await auth.refresh(first.refreshToken);
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const context = await auth.authenticate(second.accessToken);
    expect(context.roles).toEqual(['user']);
    expect(context.fresh).toBe(false);
  });

  it('replaying a spent refresh token after the grace window is theft: refresh_token_reused, whole session ends', async () => {
    const { auth, clock } = makeAuth({ sessions: { refreshReuseGrace: 5 } });
    const first = await auth.login({ subject: 'alice' });
    const second = await auth.refresh(first.refreshToken);
    clock.advance(6);
    expect(await codeOf(auth.refresh(first.refreshToken))).toBe('refresh_token_reused');
    // The thief and the victim are both logged out.
    expect(await codeOf(auth.authenticate(second.accessToken))).toBe('token_revoked');
    expect(await codeOf(auth.refresh(second.refreshToken))).toBe('token_revoked');
    expect(await auth.listSessions('alice')).toEqual([]);
  });

  it('within the grace window a replay is answered with the live refresh token id, not a second one', async () => {
    const { auth, clock } = makeAuth({ sessions: { refreshReuseGrace: 5 } });
    const first = await auth.login({ subject: 'alice' });
    const winner = await auth.refresh(first.refreshToken);
    clock.advance(2);
    const retry = await auth.refresh(first.refreshToken);
    const jti = (token: string) => auth.tokens.verifyRefreshToken(token).jti;
    expect(jti(retry.refreshToken)).toBe(jti(winner.refreshToken));
    // Only one refresh token id is live: using it rotates once more and spends both copies.
    await auth.refresh(winner.refreshToken);
    clock.advance(10);
    expect(await codeOf(auth.refresh(retry.refreshToken))).toBe('refresh_token_reused');
  });

  it('without a grace window, 50 concurrent refreshes with one token have exactly one winner', async () => {
    const { auth } = makeAuth({ sessions: { refreshReuseGrace: 0 } });
    const pair = await auth.login({ subject: 'alice' });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => auth.refresh(pair.refreshToken)),
    );
    const winners = results.filter((result) => result.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    const codes = results.flatMap((result) =>
      result.status === 'rejected' ? [(result.reason as { code: string }).code] : [],
    );
    // The first loser is detected as reuse and ends the session; later ones find it gone.
    expect(codes).toContain('refresh_token_reused');
    expect(codes.every((code) => code === 'refresh_token_reused' || code === 'token_revoked')).toBe(true);
  });

  it('with a grace window, 50 concurrent refreshes from one client all succeed with one live refresh token id', async () => {
    const { auth } = makeAuth({ sessions: { refreshReuseGrace: 5 } });
    const pair = await auth.login({ subject: 'alice' });
    const results = await Promise.all(Array.from({ length: 50 }, () => auth.refresh(pair.refreshToken)));
    const ids = new Set(results.map((result) => auth.tokens.verifyRefreshToken(result.refreshToken).jti));
    expect(ids.size).toBe(1);
  });

  it('refuses an access token on refresh and a refresh token on authenticate (wrong_token_type)', async () => {
    const { auth } = makeAuth();
    const pair = await auth.login({ subject: 'alice' });
    expect(await codeOf(auth.refresh(pair.accessToken))).toBe('wrong_token_type');
    expect(await codeOf(auth.authenticate(pair.refreshToken))).toBe('wrong_token_type');
  });
});

describe('stateful sessions: limits and lifetimes', () => {
  it('maxSessions 1 is a single active session: a new login ends the older one', async () => {
    const { auth } = makeAuth({ sessions: { maxSessions: 1 } });
    const old = await auth.login({ subject: 'alice' });
    const current = await auth.login({ subject: 'alice' });
    expect(await codeOf(auth.authenticate(old.accessToken))).toBe('token_revoked');
    await expect(auth.authenticate(current.accessToken)).resolves.toMatchObject({
      subject: 'alice',
      sessionId: current.sessionId,
    });
  });

  it('maxSessions N keeps the newest N', async () => {
    const { auth, clock } = makeAuth({ sessions: { maxSessions: 3 } });
    const pairs = [];
    for (let i = 0; i < 5; i++) {
      pairs.push(await auth.login({ subject: 'alice' }));
      clock.advance(1);
    }
    const live = (await auth.listSessions('alice')).map((session) => session.id);
    expect(live).toEqual(
      pairs
        .slice(2)
        .reverse()
        .map((pair) => pair.sessionId),
    );
  });

  it('20 concurrent logins with maxSessions 1 leave exactly one live session', async () => {
    const { auth } = makeAuth({ sessions: { maxSessions: 1 } });
    await Promise.all(Array.from({ length: 20 }, () => auth.login({ subject: 'alice' })));
    expect(await auth.listSessions('alice')).toHaveLength(1);
  });

  it('an idle session ends after idleTimeout; use keeps it alive', async () => {
    const { auth, clock } = makeAuth({ sessions: { idleTimeout: 60, touchInterval: 0 }, accessTtl: 3600 });
    const kept = await auth.login({ subject: 'alice' });
    const idle = await auth.login({ subject: 'bob' });
    for (let i = 0; i < 3; i++) {
      clock.advance(40);
      await auth.authenticate(kept.accessToken);
    }
    expect(await codeOf(auth.authenticate(idle.accessToken))).toBe('token_revoked');
    await expect(auth.authenticate(kept.accessToken)).resolves.toMatchObject({
      subject: 'alice',
      sessionId: kept.sessionId,
    });
  });

  it('a session ends at its absolute lifetime whatever its use, and refresh tokens never outlive it', async () => {
    const { auth, clock } = makeAuth({
      sessions: { absoluteLifetime: 600, refreshReuseGrace: 0 },
      accessTtl: 300,
    });
    let pair = await auth.login({ subject: 'alice' });
    expect(auth.tokens.verifyRefreshToken(pair.refreshToken).exp - auth.tokens.now()).toBeLessThanOrEqual(
      600,
    );
    clock.advance(290);
    pair = await auth.refresh(pair.refreshToken);
    clock.advance(290);
    pair = await auth.refresh(pair.refreshToken);
    clock.advance(30);
    expect(await codeOf(auth.authenticate(pair.accessToken))).toBe('token_revoked');
  });

  it('records last use at most once per touchInterval', async () => {
    const { auth, clock } = makeAuth({ sessions: { touchInterval: 60 } });
    const pair = await auth.login({ subject: 'alice' });
    const created = (await auth.listSessions('alice'))[0]?.lastSeenAt.getTime();
    clock.advance(30);
    await auth.authenticate(pair.accessToken);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await auth.listSessions('alice'))[0]?.lastSeenAt.getTime()).toBe(created);
    clock.advance(31);
    await auth.authenticate(pair.accessToken);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await auth.listSessions('alice'))[0]?.lastSeenAt.getTime()).toBe((created ?? 0) + 61_000);
  });
});

describe('stateful sessions: users', () => {
  it('deactivating a user refuses their tokens (user_inactive) and logins, until activated', async () => {
    const { auth } = makeAuth();
    const pair = await auth.login({ subject: 'alice' });
    await auth.deactivateUser('alice');
    expect(await codeOf(auth.authenticate(pair.accessToken))).toBe('user_inactive');
    expect(await codeOf(auth.refresh(pair.refreshToken))).toBe('user_inactive');
    expect(await codeOf(auth.login({ subject: 'alice' }))).toBe('user_inactive');
    await auth.activateUser('alice');
    // Deactivation ended the old sessions for good.
    expect(await codeOf(auth.authenticate(pair.accessToken))).toBe('token_revoked');
    const again = await auth.login({ subject: 'alice' });
    await expect(auth.authenticate(again.accessToken)).resolves.toMatchObject({
      subject: 'alice',
      sessionId: again.sessionId,
    });
  });

  it('loads the profile through users.load, caches it, and reloads after invalidateUser', async () => {
    const profiles = new Map([['alice', { name: 'Alice', roles: ['user'], active: true }]]);
    let loads = 0;
    const { auth } = makeAuth({
      users: {
        load: async (id: string) => {
          loads++;
          return profiles.get(id) ?? null;
        },
        isActive: (user) => (user as { active: boolean }).active,
        roles: (user) => (user as { roles: string[] }).roles,
      },
    });
    const pair = await auth.login({ subject: 'alice' });
    expect((await auth.authenticate(pair.accessToken)).user).toEqual({
      name: 'Alice',
      roles: ['user'],
      active: true,
    });
    await auth.authenticate(pair.accessToken);
    expect(loads).toBe(1);
    profiles.set('alice', { name: 'Alice', roles: ['admin'], active: true });
    await auth.invalidateUser('alice');
    expect((await auth.authenticate(pair.accessToken)).roles).toEqual(['admin']);
    expect(loads).toBe(2);
    profiles.set('alice', { name: 'Alice', roles: ['admin'], active: false });
    await auth.invalidateUser('alice');
    expect(await codeOf(auth.authenticate(pair.accessToken))).toBe('user_inactive');
    profiles.delete('alice');
    await auth.invalidateUser('alice');
    expect(await codeOf(auth.authenticate(pair.accessToken))).toBe('user_inactive');
  });
});

describe('fresh tokens and sliding renewal', () => {
  it('issues a fresh access token in a live session, refuses it for an ended one', async () => {
    const { auth } = makeAuth();
    const pair = await auth.login({ subject: 'alice', fresh: false });
    const fresh = await auth.freshAccessToken({ subject: 'alice', sessionId: pair.sessionId });
    const context = await auth.authenticate(fresh.accessToken);
    expect(context.fresh).toBe(true);
    expect(context.sessionId).toBe(pair.sessionId);
    await auth.logout(context);
    expect(await codeOf(auth.freshAccessToken({ subject: 'alice', sessionId: pair.sessionId }))).toBe(
      'token_revoked',
    );
    const anew = await auth.freshAccessToken({ subject: 'alice' });
    expect(anew.sessionId).not.toBe(pair.sessionId);
    await expect(auth.authenticate(anew.accessToken)).resolves.toMatchObject({
      subject: 'alice',
      sessionId: anew.sessionId,
    });
  });

  it('renews the access token when less than renewAccessTokenWithin is left', async () => {
    const { auth, clock } = makeAuth({ accessTtl: 900, renewAccessTokenWithin: 120 });
    const pair = await auth.login({ subject: 'alice', claims: { roles: ['user'] } });
    expect((await auth.authenticate(pair.accessToken)).renewedAccessToken).toBeUndefined();
    clock.advance(800);
    const renewed = (await auth.authenticate(pair.accessToken)).renewedAccessToken;
    expect(renewed?.expiresIn).toBe(900);
    const context = await auth.authenticate(renewed?.token);
    expect(context).toMatchObject({ sessionId: pair.sessionId, roles: ['user'], fresh: false });
  });
});
