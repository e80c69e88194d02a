/**
 * Settings of an auth instance that other parts of this package derive their defaults from, kept
 * beside the instance rather than on its public surface (a socket guard's re-check period follows
 * the session cache's maximum age, so that no socket outlives its session by more than that).
 */
export interface AuthSettings {
  /** How long the local session cache trusts an entry; undefined in strict mode (no cache). */
  readonly cacheMaxAgeMs: number | undefined;
}

const settingsByAuth = new WeakMap<object, AuthSettings>();

export function recordAuthSettings(auth: object, settings: AuthSettings): void {
  settingsByAuth.set(auth, settings);
}

export function authSettingsOf(auth: object): AuthSettings | undefined {
  return settingsByAuth.get(auth);
}
