import { createLocalJWKSet, createRemoteJWKSet, errors, type JWTVerifyOptions, jwtVerify } from 'jose';
import { type Algorithm, algorithms } from '../../index.js';
import { CliError, exitCodes, usageError } from '../exit-codes.js';
import type { CommandResult } from '../output.js';
import { type DecodedToken, decodeToken } from './decode-token.js';
import { asymmetricAlgorithms, pinnedAlgorithm, readVerificationKey } from './verification-key.js';

export interface InspectOptions {
  /** A file: PEM, JWK, JWK Set or HMAC secret. */
  readonly key?: string | undefined;
  /** A JWKS URL: https, or http to a loopback host. */
  readonly jwks?: string | undefined;
  /** Pins the one algorithm accepted. */
  readonly alg?: string | undefined;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
  /** Fetch deadline of `--jwks`, in milliseconds. */
  readonly timeoutMs: number;
  /** Milliseconds since the epoch; the tests give a fixed clock. */
  readonly now: number;
}

/**
 * Shows a token's header and claims: marked UNVERIFIED unless `--key` or `--jwks` is given, in which
 * case jose checks the signature (with the algorithms the key allows, never `none`) and the time
 * claims, and `--issuer`/`--audience` when given. The token and its signature never appear in the
 * output or in a message; the `csrf` claim (cookie mode's double-submit value) is shown as redacted.
 */
export async function inspect(token: string, options: InspectOptions): Promise<CommandResult> {
  if (options.key !== undefined && options.jwks !== undefined)
    throw usageError('give --key or --jwks, not both');
  const decoded = decodeToken(token);
  const alg = decoded.header.alg;
  const verify = options.key !== undefined || options.jwks !== undefined;
  if (alg === 'none' || (typeof alg === 'string' && alg.toLowerCase() === 'none')) {
    // An unsigned token is refused by every verifier; shown decoded so the operator sees what was sent.
    return view(decoded, options.now, {
      exitCode: exitCodes.tokenInvalid,
      verification: {
        verified: false,
        reason: 'alg_none',
        message: 'alg "none": an unsigned token, never accepted',
      },
    });
  }
  if (!verify) {
    return view(decoded, options.now, {
      exitCode: exitCodes.ok,
      verification: {
        verified: false,
        message: 'UNVERIFIED: the signature was not checked (give --key or --jwks)',
      },
    });
  }
  const claimRules: JWTVerifyOptions = {
    currentDate: new Date(options.now),
    ...(options.issuer !== undefined && { issuer: options.issuer }),
    ...(options.audience !== undefined && { audience: options.audience }),
  };
  const by = await verifySignature(token, options, claimRules, algorithmName(alg));
  return view(decoded, options.now, {
    exitCode: exitCodes.ok,
    verification: { verified: true, message: `VERIFIED with ${by}` },
  });
}

async function verifySignature(
  token: string,
  options: InspectOptions,
  claimRules: JWTVerifyOptions,
  alg: string,
): Promise<string> {
  try {
    if (options.jwks !== undefined) {
      const url = jwksUrl(options.jwks);
      // A key set is public keys: an HS* token checked against one would take a public value for a secret.
      const pin = pinnedAlgorithm(options.alg);
      if (pin?.startsWith('HS'))
        throw usageError('--jwks verifies asymmetric algorithms only; --alg cannot be HS*');
      const allowed = pin === undefined ? asymmetricAlgorithms : [pin];
      await jwtVerify(token, createRemoteJWKSet(url, { timeoutDuration: options.timeoutMs }), {
        ...claimRules,
        algorithms: [...allowed],
      });
      return `the JWKS at ${url.origin}${url.pathname} (${alg})`;
    }
    const key = readVerificationKey(options.key as string, options.alg);
    if ('keySet' in key) {
      const allowed = options.alg === undefined ? asymmetricAlgorithms : [options.alg];
      await jwtVerify(token, createLocalJWKSet(key.keySet), { ...claimRules, algorithms: [...allowed] });
      return `${key.description} (${alg})`;
    }
    if (!key.algorithms.some((allowed) => allowed === alg)) {
      throw refused(
        'alg',
        `the token's alg ${alg} does not fit ${key.description} (${key.algorithms.join(', ')})`,
      );
    }
    await jwtVerify(token, key.key, { ...claimRules, algorithms: [...key.algorithms] });
    return `${key.description} (${alg})`;
  } catch (error) {
    throw asCliError(error);
  }
}

/** jose's errors as reasons and messages of ours (its messages are safe, ours say what to do). */
function asCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof errors.JWTExpired) return refused('expired', 'the token has expired (exp)');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return refused('not_yet_valid', 'the token is not valid yet (nbf)');
    if (error.claim === 'iss') return refused('iss', 'the token is from another issuer (iss)');
    if (error.claim === 'aud') return refused('aud', 'the token is for another audience (aud)');
    return refused('claims', `the token's ${safeClaimName(error.claim)} claim is not valid`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return refused('signature', 'the signature does not match the key');
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return refused('alg', "the token's alg does not fit the key");
  if (error instanceof errors.JWKSNoMatchingKey)
    return refused('kid_unknown', 'no key of the set matches the token (kid, alg)');
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return refused('kid_ambiguous', 'several keys of the set match the token and none verifies it');
  }
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    error instanceof TypeError
  ) {
    return new CliError('failed', 'the JWKS could not be fetched or read', { reason: 'jwks_unavailable' });
  }
  if (error instanceof errors.JOSENotSupported)
    return refused('unsupported', 'the token uses something authjwt does not verify (alg, crit)');
  if (error instanceof errors.JOSEError) return refused('malformed', 'the token is malformed');
  return new CliError('failed', 'the token could not be verified', { reason: 'error' });
}

function refused(reason: string, message: string): CliError {
  return new CliError('token_invalid', message, { reason });
}

function safeClaimName(claim: string): string {
  return /^[a-z_]{1,16}$/i.test(claim) ? `"${claim}"` : 'a';
}

/** The token's alg as text for messages: one of ours, or a neutral word for anything else it says. */
function algorithmName(alg: unknown): string {
  return algorithms.some((name: Algorithm) => name === alg) ? (alg as string) : 'unsupported alg';
}

function jwksUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError('--jwks must be a URL');
  }
  if (url.username !== '' || url.password !== '') throw usageError('--jwks must not carry credentials');
  if (url.protocol === 'https:') return url;
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\./.test(url.hostname);
  if (url.protocol === 'http:' && loopback) return url;
  throw usageError('--jwks must be an https URL (plain http only to a loopback host)');
}

interface Verification {
  readonly verified: boolean;
  readonly message: string;
  readonly reason?: string;
}

/** The decoded token as text and JSON; `csrf` redacted, time claims also as dates. */
function view(
  decoded: DecodedToken,
  now: number,
  outcome: { exitCode: CommandResult['exitCode']; verification: Verification },
): CommandResult {
  const claims = { ...decoded.claims };
  if (claims.csrf !== undefined) claims.csrf = '[redacted]';
  const times: Record<string, string> = {};
  for (const name of ['iat', 'nbf', 'exp', 'fresh'] as const) {
    const value = claims[name];
    if (typeof value === 'number' && Number.isFinite(value)) times[name] = describeTime(value, now);
  }
  const text = [
    outcome.verification.message,
    `header: ${JSON.stringify(decoded.header, null, 2)}`,
    `claims: ${JSON.stringify(claims, null, 2)}`,
    ...Object.entries(times).map(([name, value]) => `${name}: ${value}`),
  ].join('\n');
  return {
    exitCode: outcome.exitCode,
    text,
    json: { ...outcome.verification, header: decoded.header, claims, times },
  };
}

function describeTime(seconds: number, now: number): string {
  const at = new Date(seconds * 1000);
  if (Number.isNaN(at.getTime())) return 'not a date';
  const delta = Math.round(seconds - now / 1000);
  const span = humanSpan(Math.abs(delta));
  return `${at.toISOString()} (${delta >= 0 ? `in ${span}` : `${span} ago`})`;
}

function humanSpan(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}
