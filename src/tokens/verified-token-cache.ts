import { deepFreeze } from '../internal/deep-freeze.js';
import type { VerifiedHeader } from './jws.js';

/**
 * Tokens whose signature already verified, found by the exact token string. A client presents the
 * same access token on every request for its whole lifetime, and the signature check and JSON parse
 * are most of what verification costs. A hit skips only those: the claims (expiry, type, issuer,
 * audience) are checked again on every use by the caller. Only byte-identical strings hit, so a
 * forged or altered token, or a re-encoded signature (ECDSA malleability), is verified on its own.
 */
export interface VerifiedEntry<Claims extends Readonly<Record<string, unknown>> = Record<string, unknown>> {
  /** The payload, deep-frozen, so no caller can alter what the next request sees. */
  readonly claims: Claims;
  /** The protected header (frozen by the verifier). */
  readonly header: VerifiedHeader;
  /**
   * What the verifier accepted the claims as, besides their times (the token type): frozen claims
   * checked against rules that never change pass the same way again, so a hit of that kind needs
   * only its times checked. `undefined` when the verifier keeps no such note.
   */
  readonly acceptedAs: string | undefined;
  /**
   * The access check's handle on the token's cached session (see SessionCache): the token's next use
   * reads it here instead of looking the session up, one object instead of two maps and their
   * entries, which are mostly out of the CPU's cache by then. Written only by the session cache.
   */
  session: unknown;
}

interface Entry<Claims extends Readonly<Record<string, unknown>>> extends VerifiedEntry<Claims> {
  token: string;
  /** The whole header value the token last came in, which ends with the token (see tokenPresentedAs). */
  presented: string | undefined;
}

// Entries are found by a number made of the token's last characters, which lie in its signature and
// so differ from one token to the next; then the whole token is compared. A token arrives as a new
// string on every request: a string key would be cut out and hashed each time, a number is read off
// five characters. Six bits of each (base64url characters differ there, bar a few), 30 bits in all:
// a small integer, so the Map hashes it at once. Two cached tokens with the same key only evict each
// other (the next use verifies again).
const keyChars = 5;
function keyOf(token: string): number {
  const end = token.length - 1;
  let key = 0;
  for (let index = end; index > end - keyChars && index >= 0; index--) {
    key = (key << 6) | (token.charCodeAt(index) & 0x3f);
  }
  return key;
}

export class VerifiedTokenCache<Claims extends Readonly<Record<string, unknown>> = Record<string, unknown>> {
  readonly #entries = new Map<number, Entry<Claims>>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get(token: string): VerifiedEntry<Claims> | undefined {
    const entry = this.#entries.get(keyOf(token));
    // Only the identical token hits: a forged one that shares the key is verified like any other.
    return entry !== undefined && entry.token === token ? entry : undefined;
  }

  /**
   * The cached token a header value carries from `start` to its end, or `undefined` when no such
   * token is cached. A client sends the same header value on every request, and the header value is
   * one flat string, which compares with the value remembered from the token's previous use at once;
   * the token cut out of it would be a slice, which compares through a slower path, and would have to
   * be cut and scanned for stray characters first. The token returned is the cached string itself, so
   * `get` then finds it by identity. On a first use in a header, the suffix is compared whole.
   */
  tokenPresentedAs(source: string, start: number): string | undefined {
    const entry = this.#entries.get(keyOf(source));
    if (entry === undefined) return undefined;
    // Equal values whose tails of the token's length start at the same place: the same token.
    if (entry.presented === source && source.length - start === entry.token.length) return entry.token;
    if (source.length - start !== entry.token.length) return undefined;
    const token = source.slice(start);
    if (token !== entry.token) return undefined;
    // A slice of the value remembered, so the entry keeps one copy of the characters, not two.
    entry.token = token;
    entry.presented = source;
    return token;
  }

  /** Remembers a verified token; returns its entry (a fresh one, not remembered, when the cache is off). */
  set(token: string, claims: Claims, header: VerifiedHeader, acceptedAs?: string): VerifiedEntry<Claims> {
    if (this.#maxEntries === 0) return { claims, header, acceptedAs: undefined, session: undefined };
    if (this.#entries.size >= this.#maxEntries) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    const entry: Entry<Claims> = {
      token,
      claims: deepFreeze(claims),
      header,
      acceptedAs,
      session: undefined,
      presented: undefined,
    };
    this.#entries.set(keyOf(token), entry);
    return entry;
  }

  delete(token: string): void {
    const key = keyOf(token);
    if (this.#entries.get(key)?.token === token) this.#entries.delete(key);
  }

  /** Forgets every token: the keys they were verified with may have changed. */
  clear(): void {
    this.#entries.clear();
  }
}
