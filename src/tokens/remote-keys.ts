import type { JsonWebKey } from 'node:crypto';
import { AuthError } from '../errors.js';
import type { Algorithm } from './algorithms.js';
import type { KeyRing } from './key-ring.js';
import { type ResolvedKey, resolveKey } from './keys.js';

/** The algorithms a key of each JWK type (and curve) can be bound to; HMAC is never one of them. */
function algorithmsFitting(jwk: JsonWebKey): readonly Algorithm[] {
  switch (jwk.kty) {
    case 'RSA':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'EC':
      return jwk.crv === 'P-256'
        ? ['ES256']
        : jwk.crv === 'P-384'
          ? ['ES384']
          : jwk.crv === 'P-521'
            ? ['ES512']
            : [];
    case 'OKP':
      return jwk.crv === 'Ed25519' ? ['EdDSA'] : [];
    default:
      // `oct` (a shared secret has no place in a published set) and anything unknown.
      return [];
  }
}

/** What of a remote JWKS was kept, and why the rest was not (for tests and diagnostics). */
export interface RemoteKeyRing extends KeyRing {
  /** How many JWKs the set offered and were ignored (wrong type or use, weak, duplicate, beyond the cap). */
  readonly ignored: number;
}

/**
 * Turns an issuer's JWKS (RFC 7517 section 5) into a ring of verification keys, each a node:crypto
 * KeyObject bound to one of `algorithms` (which holds no HMAC algorithm: see the options' check).
 * A JWK is ignored, not trusted, when it is symmetric (`oct`) or carries private material, is for
 * another use (`use` other than `sig`, `key_ops` without `verify`), names an algorithm not allowed or
 * not of its type, or fails the checks of configured keys (RSA under 2048 bits, ROCA, wrong curve).
 * A JWK without `alg` is bound to each allowed algorithm its type fits. Two JWKs with the same `kid`
 * and algorithm drop both: which one the issuer meant cannot be told. Only the first `maxKeys` JWKs
 * are read, so a set cannot make us parse keys without end.
 */
export function remoteKeyRing(
  jwks: unknown,
  algorithms: readonly Algorithm[],
  maxKeys: number,
): RemoteKeyRing {
  const offered: unknown[] =
    typeof jwks === 'object' && jwks !== null && Array.isArray((jwks as { keys?: unknown }).keys)
      ? (jwks as { keys: unknown[] }).keys
      : [];
  const byKid = new Map<string, ResolvedKey[]>();
  const ambiguous = new Set<string>();
  let ignored = Math.max(0, offered.length - maxKeys);
  for (const entry of offered.slice(0, maxKeys)) {
    const keys = usableKeys(entry, algorithms);
    if (keys.length === 0) ignored++;
    for (const key of keys) {
      const bound = byKid.get(key.kid) ?? [];
      if (bound.some((other) => other.alg.name === key.alg.name)) ambiguous.add(`${key.kid} ${key.alg.name}`);
      bound.push(key);
      byKid.set(key.kid, bound);
    }
  }
  for (const [kid, bound] of byKid) {
    const kept = bound.filter((key) => !ambiguous.has(`${kid} ${key.alg.name}`));
    ignored += bound.length - kept.length;
    if (kept.length === 0) byKid.delete(kid);
    else byKid.set(kid, kept);
  }
  const only = byKid.size === 1 ? [...byKid.values()][0] : undefined;
  const keys = [...byKid.values()].flat();

  return {
    signingKey: undefined,
    keys,
    ignored,
    find(kid, alg) {
      let bound: ResolvedKey[] | undefined;
      if (kid === undefined) {
        // RFC 7515 section 4.1.4 leaves kid optional; with several keys, trying each is what made
        // verifiers slow and ambiguous. A set of more than one key needs the token to name its key.
        if (byKid.size > 1) throw new AuthError('token_invalid', { reason: 'kid_missing' });
        bound = only;
      } else bound = byKid.get(kid);
      // A key bound to another algorithm is returned too, so the verifier refuses alg_mismatch.
      return bound?.find((key) => key.alg.name === alg) ?? bound?.[0];
    },
  };
}

function usableKeys(entry: unknown, algorithms: readonly Algorithm[]): ResolvedKey[] {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return [];
  const jwk = entry as JsonWebKey;
  if (jwk.d !== undefined || jwk.k !== undefined) return [];
  if (jwk.use !== undefined && jwk.use !== 'sig') return [];
  const ops: unknown = jwk.key_ops;
  if (ops !== undefined && (!Array.isArray(ops) || !ops.includes('verify'))) return [];
  const fitting = algorithmsFitting(jwk).filter((alg) => algorithms.includes(alg));
  const bindings = jwk.alg === undefined ? fitting : fitting.filter((alg) => alg === jwk.alg);
  const keys: ResolvedKey[] = [];
  for (const alg of bindings) {
    try {
      keys.push(resolveKey({ alg, key: jwk }, 'jwks', 'verify'));
    } catch {
      // A key we would refuse in our own configuration is not trusted from a remote set either.
    }
  }
  return keys;
}
