import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Algorithm, algorithms, type KeyInput } from 'authjwt';
import { type RedisConfig, redisConfig } from './redis-config.js';

/** The web frameworks the reference app runs on, with one contract (`APP_FRAMEWORK`). */
export const frameworks = ['fastify', 'express', 'hono'] as const;
export type Framework = (typeof frameworks)[number];

/** The reference app's settings, read once from the environment (see reference-app.md). */
export interface AppConfig {
  /** The framework the app runs on; the routes, answers and logs are the same on each. */
  framework: Framework;
  host: string;
  port: number;
  /** Unset: the embedded memory store. */
  redis: RedisConfig | undefined;
  signingKey: KeyInput;
  issuer: string | undefined;
  audience: string | undefined;
  accessTtl: number;
  refreshTtl: number;
  freshTtl: number;
  /** Sessions per user (0 = no limit, only when set explicitly). */
  maxSessions: number;
  refreshReuseGrace: number;
  /** Failed logins per username at one client IP within `loginWindow` seconds; an IP alone may fail ten times as often. */
  loginMaxFailures: number;
  loginWindow: number;
  /** scrypt computations at once; more wait in a queue of `passwordHashQueue`, beyond it logins get 503. */
  passwordHashConcurrency: number;
  passwordHashQueue: number;
  revocation: 'cached' | 'strict';
  /** Replicas that must acknowledge each revocation (Redis WAIT); 0 = none. */
  revocationAcks: number;
  /** Seconds without use after which a session ends; undefined = none. */
  idleTimeout: number | undefined;
  /** Seconds since the epoch: sessions created before are void (after a restore of older Redis data). */
  sessionsNotBefore: number | undefined;
  /** The OpenID Connect issuer whose tokens are trusted (`OIDC_*`); undefined = none. */
  oidc: OidcConfig | undefined;
  logLevel: string;
  /** Start-up notes for the log (generated keys and the like), never the key material itself. */
  warnings: string[];
}

/** An OpenID Connect issuer: its access tokens on `/external/me`, its ID tokens on `/auth/exchange`. */
export interface OidcConfig {
  issuer: string;
  /** The `aud` of its access tokens; undefined = none accepted. */
  audience: string | undefined;
  /** The `aud` of its ID tokens (this app's client id); undefined = no sign-in. */
  clientId: string | undefined;
  /** Plain HTTP to a loopback issuer (tests only). */
  allowHttp: boolean;
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): AppConfig {
  const warnings: string[] = [];
  const alg = (env.JWT_ALGORITHM ?? 'HS256') as Algorithm;
  if (!algorithms.includes(alg)) {
    throw new Error(`JWT_ALGORITHM must be one of ${algorithms.join(', ')}`);
  }
  const revocation = env.REVOCATION ?? 'cached';
  if (revocation !== 'cached' && revocation !== 'strict')
    throw new Error('REVOCATION must be cached or strict');
  return {
    framework: framework(env),
    host: env.HOST ?? '127.0.0.1',
    port: integer(env, 'PORT', 3000, 0),
    redis: redisConfig(env),
    signingKey: signingKey(alg, env, warnings),
    issuer: env.JWT_ISSUER || undefined,
    audience: env.JWT_AUDIENCE || undefined,
    accessTtl: integer(env, 'ACCESS_TTL', 900, 1),
    refreshTtl: integer(env, 'REFRESH_TTL', 1_209_600, 1),
    freshTtl: integer(env, 'FRESH_TTL', 300, 1),
    maxSessions: integer(env, 'MAX_SESSIONS', 100, 0),
    refreshReuseGrace: integer(env, 'REFRESH_REUSE_GRACE', 5, 0),
    // The IP's limit is ten times this, and the library takes at most 1,000,000 for either.
    loginMaxFailures: integer(env, 'LOGIN_MAX_FAILURES', 10, 1, 100_000),
    // The library's longest window: a day.
    loginWindow: integer(env, 'LOGIN_WINDOW', 900, 1, 86_400),
    passwordHashConcurrency: integer(env, 'PASSWORD_HASH_CONCURRENCY', threadPoolSize(env), 1, 1024),
    // Two rounds of waiting at most: an honest login waits a few scrypt times, or is told to retry.
    passwordHashQueue: integer(env, 'PASSWORD_HASH_QUEUE', 8, 0, 100_000),
    revocation,
    revocationAcks: integer(env, 'REVOCATION_ACKS', 0, 0, 16),
    idleTimeout: optionalInteger(env, 'IDLE_TIMEOUT', 1, 366 * 86_400),
    sessionsNotBefore: optionalInteger(env, 'SESSIONS_NOT_BEFORE', 0, Number.MAX_SAFE_INTEGER),
    oidc: oidcConfig(env),
    logLevel: env.LOG_LEVEL ?? 'info',
    warnings,
  };
}

function framework(env: Env): Framework {
  const value = env.APP_FRAMEWORK || 'fastify';
  if (!(frameworks as readonly string[]).includes(value)) {
    // The value is not echoed, like every other variable's.
    throw new Error(`APP_FRAMEWORK must be one of ${frameworks.join(', ')}`);
  }
  return value as Framework;
}

function oidcConfig(env: Env): OidcConfig | undefined {
  const issuer = env.OIDC_ISSUER || undefined;
  if (issuer === undefined) return undefined;
  const audience = env.OIDC_AUDIENCE || undefined;
  const clientId = env.OIDC_CLIENT_ID || undefined;
  if (audience === undefined && clientId === undefined) {
    throw new Error('OIDC_ISSUER needs OIDC_AUDIENCE (its access tokens) or OIDC_CLIENT_ID (its ID tokens)');
  }
  return { issuer, audience, clientId, allowHttp: env.OIDC_ALLOW_HTTP === '1' };
}

function optionalInteger(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : integer(env, name, 0, min, max);
}

function integer(env: Env, name: string, fallback: number, min: number, max?: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) {
    throw new Error(
      `${name} must be a whole number ${max === undefined ? `>= ${min}` : `from ${min} to ${max}`}`,
    );
  }
  return value;
}

/** libuv's thread pool runs scrypt: 4 threads unless UV_THREADPOOL_SIZE (1 to 1024) says otherwise. */
function threadPoolSize(env: Env): number {
  const size = Number(env.UV_THREADPOOL_SIZE);
  return Number.isSafeInteger(size) && size >= 1 && size <= 1024 ? size : 4;
}

function signingKey(alg: Algorithm, env: Env, warnings: string[]): KeyInput {
  if (alg.startsWith('HS')) {
    if (env.JWT_SECRET) return { alg, key: env.JWT_SECRET };
    warnings.push('JWT_SECRET is not set: using a random secret, so tokens will not survive a restart');
    return { alg, key: randomBytes(64) };
  }
  if (env.JWT_PRIVATE_KEY_FILE) return { alg, key: readFileSync(env.JWT_PRIVATE_KEY_FILE, 'utf8') };
  warnings.push(
    'JWT_PRIVATE_KEY_FILE is not set: generated a key pair, so tokens will not survive a restart',
  );
  return { alg, key: generatedPrivateKey(alg) };
}

function generatedPrivateKey(alg: Algorithm) {
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519').privateKey;
  if (alg.startsWith('ES')) {
    const namedCurve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg as 'ES256' | 'ES384' | 'ES512'];
    return generateKeyPairSync('ec', { namedCurve }).privateKey;
  }
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}
