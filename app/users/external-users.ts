import type { ExternalIdentity } from 'authjwt';
import type { User } from './directory.js';

/*
 * Users who sign in through the OpenID Connect issuer (`OIDC_ISSUER`, `POST /auth/exchange`). The app
 * trusts one issuer, so its `sub` names the person; their id carries a prefix no directory username
 * has, so an issuer's subject "admin" is never the directory's admin. They are provisioned on first
 * sign-in with the role `user` and kept nowhere: their sessions, deactivation and revocations live in
 * the session store like everyone's.
 */
const prefix = 'oidc:';

/** The app's user for a verified identity of the trusted issuer. */
export function userOfIdentity(identity: ExternalIdentity): User {
  return { id: `${prefix}${identity.subject}`, username: identity.subject, roles: ['user'], active: true };
}

/** The user of an id made by `userOfIdentity`, or `undefined` for any other id. */
export function externalUser(id: string): User | undefined {
  if (!id.startsWith(prefix)) return undefined;
  return { id, username: id.slice(prefix.length), roles: ['user'], active: true };
}
