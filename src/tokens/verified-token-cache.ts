/**
 * Tokens whose signature already verified, keyed by the exact token string. A client presents the
 * same access token on every request for its whole lifetime, and the signature check and JSON parse
 * are most of what verification costs. A hit skips only those: the claims (expiry, type, issuer,
 * audience) are checked again on every use by the caller. Only byte-identical strings hit, so a
 * forged or altered token, or a re-encoded signature (ECDSA malleability), is verified on its own.
 */
export interface VerifiedToken {
  /** Deep-frozen, so no caller can alter what the next request sees. */
  readonly payload: Record<string, unknown>;
  readonly typ: string | undefined;
}

export class VerifiedTokenCache {
  readonly #entries = new Map<string, VerifiedToken>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get(token: string): VerifiedToken | undefined {
    return this.#entries.get(token);
  }

  set(token: string, payload: Record<string, unknown>, typ: string | undefined): void {
    if (this.#maxEntries === 0) return;
    if (this.#entries.size >= this.#maxEntries) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, { payload: deepFreeze(payload), typ });
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
