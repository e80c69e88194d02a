import { AuthConfigError } from '../errors.js';
import { type KeyInput, type ResolvedKey, resolveKey } from './keys.js';

export interface KeyRingOptions {
  /** The key new tokens are signed with; it also verifies. Optional for a verify-only service. */
  signingKey?: KeyInput;
  /** Further keys that only verify: the previous keys during a rotation, or public keys of an issuer. */
  verificationKeys?: readonly KeyInput[];
}

/**
 * The keys of one auth instance, resolved once. Lookup is by `kid` only: a token's `kid` that is
 * not in the ring is refused, never tried against some default key.
 */
export interface KeyRing {
  readonly signingKey: ResolvedKey | undefined;
  /**
   * The verification key for a token's `kid` (and `alg`, where one `kid` may be bound to several
   * algorithms, as a remote key without `alg` is); a token without `kid` matches only a ring of one
   * key. The caller still compares the key's algorithm with the token's `alg`.
   */
  find(kid: string | undefined, alg: string): ResolvedKey | undefined;
  readonly keys: readonly ResolvedKey[];
}

export function createKeyRing(options: KeyRingOptions): KeyRing {
  const keys: ResolvedKey[] = [];
  const signingKey =
    options.signingKey === undefined ? undefined : resolveKey(options.signingKey, 'signingKey', 'sign');
  if (signingKey !== undefined) {
    if (signingKey.signingKey === undefined) {
      throw new AuthConfigError('signingKey', 'is a public key; signing needs the private key or secret');
    }
    keys.push(signingKey);
  }
  const extra = options.verificationKeys ?? [];
  if (!Array.isArray(extra)) throw new AuthConfigError('verificationKeys', 'must be an array');
  extra.forEach((input, index) => {
    keys.push(resolveKey(input, `verificationKeys[${index}]`));
  });
  if (keys.length === 0) throw new AuthConfigError('signingKey', 'is required (or give verificationKeys)');

  const byKid = new Map<string, ResolvedKey>();
  for (const key of keys) {
    if (byKid.has(key.kid)) {
      throw new AuthConfigError(
        'verificationKeys',
        `two keys share the kid "${key.kid}"; each key needs its own`,
      );
    }
    byKid.set(key.kid, key);
  }
  const onlyKey = keys.length === 1 ? keys[0] : undefined;

  return {
    signingKey,
    keys,
    find: (kid) => (kid === undefined ? onlyKey : byKid.get(kid)),
  };
}
