import { createHash } from 'node:crypto';
import { AuthConfigError } from '../../errors.js';

/** The keys of one user. They share one hash tag, so every script on them runs on one Cluster slot. */
export interface UserKeys {
  /** String: the user's sessions, packed, while they are few (see `lua-sessions.ts`). */
  readonly sessions: string;
  /** Hash: session id -> packed session, once they are many (instead of `sessions`). */
  readonly sessionHash: string;
  /** Sorted set, beside the hash form only: session ids by creation time (which to evict first). */
  readonly created: string;
  /** Sorted set, beside the hash form only: session ids by end time (which have ended). */
  readonly ends: string;
  /** Hash: `a` = '0' while inactive. Absent for a default user. */
  readonly user: string;
  /** String: the cached profile JSON. */
  readonly profile: string;
}

/**
 * Refuses prefixes that would break the key layout: a brace would make Redis Cluster hash the wrong
 * part of the key (only the first `{...}` counts).
 */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || /[{}]/.test(prefix) || prefix.length > 64) {
    throw new AuthConfigError('prefix', 'must be a string of at most 64 characters without braces');
  }
  return prefix;
}

/**
 * The hash tag is 16 base64url characters of SHA-256 of the user id (96 bits): whatever the id holds
 * (braces, glob characters, separators, any Unicode), it cannot reach the key name, and two ids share
 * a tag with odds of about 1 in 10^11 even among a billion users. 16 rather than more keeps the key
 * name within a 32-byte allocation, which Redis pays for every user.
 */
export function userKeys(prefix: string, userId: string): UserKeys {
  const base = `${prefix}{${userTag(userId)}}:`;
  return {
    sessions: `${base}s`,
    sessionHash: `${base}h`,
    created: `${base}o`,
    ends: `${base}x`,
    user: `${base}u`,
    profile: `${base}p`,
  };
}

/** A client's login-attempt counters. They share the client's hash tag, so one script counts both. */
export interface LoginAttemptKeys {
  /** String: attempts at this account from this client. */
  readonly account: string;
  /** String: attempts from this client, whatever the account. */
  readonly client: string;
}

export function loginAttemptKeys(prefix: string, client: string, account: string): LoginAttemptKeys {
  // A tag of its own ('c' before hashing), so a client's counters never share a slot by design with a user's keys.
  const base = `${prefix}{${digest(`c${client}`)}}:t`;
  return { client: base, account: `${base}:${digest(account)}` };
}

// Every store call names its user's keys; hashing the same active users on every request showed in
// the strict-mode profile, so recent tags are remembered (bounded, oldest dropped first).
const recentTags = new Map<string, string>();
const recentTagLimit = 10_000;

function userTag(userId: string): string {
  let tag = recentTags.get(userId);
  if (tag === undefined) {
    tag = digest(userId);
    if (recentTags.size >= recentTagLimit) recentTags.delete(recentTags.keys().next().value as string);
    recentTags.set(userId, tag);
  }
  return tag;
}

function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url').slice(0, 16);
}
