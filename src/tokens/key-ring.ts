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
  /**
   * Calls `listener` after every change to a ring that changes at runtime, so that whatever cached a
   * lookup (parsed headers, verified tokens) drops it. Absent on rings that never change.
   */
  onChange?(listener: (change: KeyRingChange) => void): void;
}

/** What changed in a ring: a key published, the signing key switched, or a key retired. */
export type KeyRingChange = 'add' | 'sign' | 'retire';

/** One key of the ring as `keys.list()` shows it; no key material. */
export interface KeyInfo {
  readonly kid: string;
  readonly alg: string;
  /** New tokens are signed with this key. */
  readonly signing: boolean;
  /** In the published JWKS (asymmetric keys; HMAC secrets never are). */
  readonly published: boolean;
  /** The key holds a private key or secret, so `useForSigning` may choose it. */
  readonly canSign: boolean;
}

/**
 * Runtime key rotation of the service's own keys, without a restart. Each change takes effect at once
 * in this process; across several instances, publish first (`add` everywhere, wait until relying
 * parties refetched the JWKS), sign later (`useForSigning`), retire last.
 */
export interface KeyRotation {
  /**
   * Adds a verification key, validated exactly like a configured one (algorithm pinned, weak secrets
   * refused). It verifies, and appears in the JWKS when asymmetric, from now on. Returns its `kid`.
   */
  add(input: KeyInput): string;
  /**
   * Signs new tokens with the key `kid`, which must already be in the ring (publish first, sign
   * later) and hold its private key or secret. Tokens signed before keep verifying while their key
   * stays in the ring.
   */
  useForSigning(kid: string): void;
  /**
   * Removes the key `kid`: it leaves the JWKS and tokens signed with it are refused from now on, even
   * ones verified before. The current signing key cannot be retired; switch first.
   */
  retire(kid: string): void;
  /** The ring's keys, the signing key first. */
  list(): KeyInfo[];
}

export interface OwnKeyRing extends KeyRing, KeyRotation {}

export function createKeyRing(options: KeyRingOptions): OwnKeyRing {
  const keys: ResolvedKey[] = [];
  let signingKey =
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
  // Replaced, never mutated, so a caller iterating `keys` sees one consistent list.
  let current: readonly ResolvedKey[] = Object.freeze([...keys]);
  let onlyKey = current.length === 1 ? current[0] : undefined;
  const listeners: ((change: KeyRingChange) => void)[] = [];

  function changed(next: readonly ResolvedKey[], change: KeyRingChange): void {
    current = Object.freeze([...next]);
    onlyKey = current.length === 1 ? current[0] : undefined;
    for (const listener of listeners) listener(change);
  }

  function requireKid(option: string, kid: unknown): ResolvedKey {
    if (typeof kid !== 'string' || kid.length === 0) {
      throw new AuthConfigError(option, 'needs the kid of a key in the ring');
    }
    const key = byKid.get(kid);
    if (key === undefined) {
      throw new AuthConfigError(option, `kid "${kid}" is not in the key ring; add (publish) it first`);
    }
    return key;
  }

  return {
    get signingKey() {
      return signingKey;
    },
    get keys() {
      return current;
    },
    find: (kid) => (kid === undefined ? onlyKey : byKid.get(kid)),
    onChange(listener) {
      listeners.push(listener);
    },
    add(input) {
      const key = resolveKey(input, 'keys.add');
      if (byKid.has(key.kid)) {
        throw new AuthConfigError('keys.add', `kid "${key.kid}" is already in the key ring`);
      }
      byKid.set(key.kid, key);
      changed([...current, key], 'add');
      return key.kid;
    },
    useForSigning(kid) {
      const key = requireKid('keys.useForSigning', kid);
      if (key.signingKey === undefined) {
        throw new AuthConfigError(
          'keys.useForSigning',
          `kid "${kid}" is a public key; signing needs the private key or secret`,
        );
      }
      if (key === signingKey) return;
      signingKey = key;
      changed([key, ...current.filter((other) => other !== key)], 'sign');
    },
    retire(kid) {
      const key = requireKid('keys.retire', kid);
      if (key === signingKey) {
        throw new AuthConfigError(
          'keys.retire',
          `kid "${kid}" is the signing key; switch to another with useForSigning first`,
        );
      }
      if (current.length === 1) {
        throw new AuthConfigError('keys.retire', `kid "${kid}" is the last key in the ring`);
      }
      byKid.delete(kid);
      changed(
        current.filter((other) => other !== key),
        'retire',
      );
    },
    list: () =>
      current.map((key) => ({
        kid: key.kid,
        alg: key.alg.name,
        signing: key === signingKey,
        published: key.publicJwk !== undefined,
        canSign: key.signingKey !== undefined,
      })),
  };
}
