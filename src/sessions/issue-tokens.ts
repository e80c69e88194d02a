import type { TokenService } from '../tokens/token-service.js';
import type { FreshToken, FreshTokenInput, TokenPair } from './types.js';

export interface IssuePairInput {
  subject: string;
  sessionId: string;
  refreshJti: string;
  /** Claims for the access token. */
  accessClaims: Readonly<Record<string, unknown>> | undefined;
  fresh: boolean;
  /** Cookie mode: the CSRF value bound into both tokens. */
  csrf?: string | undefined;
  /** The session's end (ms): no refresh token outlives its session. */
  sessionEndsAt: number;
  nowMs: number;
  /** `false` for a session without "remember me" (browser-session cookies). */
  remember: boolean;
}

/** Signs the access and refresh token of one session. */
export function issueTokenPair(tokens: TokenService, input: IssuePairInput): TokenPair {
  const remaining = Math.floor((input.sessionEndsAt - input.nowMs) / 1000);
  const access = tokens.signAccessToken({
    subject: input.subject,
    sessionId: input.sessionId,
    fresh: input.fresh,
    ...(input.csrf !== undefined && { csrf: input.csrf }),
    ...(input.accessClaims !== undefined && { claims: input.accessClaims }),
  });
  const refresh = tokens.signRefreshToken({
    subject: input.subject,
    sessionId: input.sessionId,
    jti: input.refreshJti,
    ttl: Math.max(1, Math.min(tokens.refreshTtl, remaining)),
    ...(input.csrf !== undefined && { csrf: input.csrf }),
  });
  return {
    accessToken: access.token,
    refreshToken: refresh.token,
    tokenType: 'Bearer',
    expiresIn: access.expiresIn,
    refreshExpiresIn: refresh.expiresIn,
    sessionId: input.sessionId,
    remember: input.remember,
    ...(input.csrf !== undefined && { csrfToken: input.csrf }),
  };
}

/** Device metadata is shown, not trusted; it is bounded so a client cannot bloat the store. */
export function deviceFields(userAgent: string | undefined, ip: string | undefined) {
  return {
    ...(typeof userAgent === 'string' && userAgent.length > 0 && { userAgent: userAgent.slice(0, 256) }),
    ...(typeof ip === 'string' && ip.length > 0 && { ip: ip.slice(0, 64) }),
  };
}

/** A fresh access token (the user just re-proved a credential) in the given session. */
export function signFreshToken(tokens: TokenService, input: FreshTokenInput, sessionId: string): FreshToken {
  const access = tokens.signAccessToken({
    subject: input.subject,
    sessionId,
    fresh: true,
    ...(input.claims !== undefined && { claims: input.claims }),
  });
  return { accessToken: access.token, expiresIn: access.expiresIn, sessionId };
}
