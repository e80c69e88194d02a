import { describe, expect, it } from 'vitest';
import { codeOf, makeAuth } from './fixtures.js';

describe('stateless mode: deny list by jti and revoke-all by epoch', () => {
  it('logout refuses that access token from then on', async () => {
    const { auth } = makeAuth({ sessions: { mode: 'stateless' } });
    const pair = await auth.login({ subject: 'alice' });
    const other = await auth.login({ subject: 'alice' });
    await auth.logout(await auth.authenticate(pair.accessToken));
    expect(await codeOf(auth.authenticate(pair.accessToken))).toBe('token_revoked');
    await expect(auth.authenticate(other.accessToken)).resolves.toMatchObject({
      subject: 'alice',
      sessionId: other.sessionId,
    });
  });

  it('logoutAll refuses every token issued before it', async () => {
    const { auth, clock } = makeAuth({ sessions: { mode: 'stateless' } });
    const a = await auth.login({ subject: 'alice' });
    await auth.logoutAll('alice');
    expect(await codeOf(auth.authenticate(a.accessToken))).toBe('token_revoked');
    expect(await codeOf(auth.refresh(a.refreshToken))).toBe('token_revoked');
    clock.advance(1);
    const b = await auth.login({ subject: 'alice' });
    await expect(auth.authenticate(b.accessToken)).resolves.toMatchObject({
      subject: 'alice',
      sessionId: b.sessionId,
    });
  });

  it('a refresh token works once', async () => {
    const { auth } = makeAuth({ sessions: { mode: 'stateless' } });
    const pair = await auth.login({ subject: 'alice', claims: { roles: ['user'] } });
    const next = await auth.refresh(pair.refreshToken);
    expect((await auth.authenticate(next.accessToken)).roles).toEqual(['user']);
    expect(await codeOf(auth.refresh(pair.refreshToken))).toBe('refresh_token_reused');
  });

  it('a deactivated user is refused', async () => {
    const { auth } = makeAuth({ sessions: { mode: 'stateless' } });
    const pair = await auth.login({ subject: 'alice' });
    await auth.deactivateUser('alice');
    expect(await codeOf(auth.authenticate(pair.accessToken))).toBe('user_inactive');
    expect(await codeOf(auth.login({ subject: 'alice' }))).toBe('user_inactive');
  });
});
