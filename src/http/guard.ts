import type { Auth, AuthContext, OwnTokenContext } from '../auth.js';
import { AuthError } from '../errors.js';
import type { TokenClaims } from '../tokens/claims.js';
import { tokenPresentedAs } from '../tokens/token-service.js';
import { readBearerCredentials, usualCredentialsStart } from './bearer.js';
import type { CookieJar } from './cookies.js';
import type { CsrfPolicy } from './csrf.js';
import { firstValue, type RequestReader } from './request.js';
import type { ResolvedTokenLocations } from './token-locations.js';

/** What a guard demands of a request's token: one of ours (of a type, with checks), or another issuer's. */
export type GuardKind =
  | 'access'
  | 'optional'
  | 'refresh'
  | 'fresh'
  | 'roles'
  | 'scopes'
  | 'claims'
  | 'external';

/** A claims guard's test of a verified access token's claims; true admits. */
export type ClaimsPredicate = (claims: TokenClaims, context: OwnTokenContext) => boolean;

/** What one guard demands: the token type and checks, and where the token may come from. */
export interface GuardDemand {
  readonly kind: GuardKind;
  readonly locations: ResolvedTokenLocations;
  /** For `roles` and `external`: any one of them admits (none listed: no role is needed). */
  readonly roles: readonly string[];
  /** For `scopes` and `external`: every one of them must be granted (`scope` or `scp`, or the issuer's mapping). */
  readonly scopes?: readonly string[];
  /** For `external`: the issuers admitted; none listed admits every configured issuer. */
  readonly issuers?: readonly string[];
  /** For `claims`. */
  readonly predicate?: ClaimsPredicate;
}

/** A guard's settings shared by every guard of one HTTP layer. */
export interface GuardSettings {
  readonly auth: Auth;
  /** Lower-case header name to read. */
  readonly header: string;
  readonly scheme: string;
  /** Response header that carries a renewed access token (sliding renewal) outside cookie mode. */
  readonly renewedTokenHeader: string;
  /** Cookie mode, when tokens may come from cookies. */
  readonly cookies: { readonly jar: CookieJar; readonly csrf: CsrfPolicy } | undefined;
}

/**
 * A request the guard let through: its context (`null` for an optional guard without a token), and a
 * header the answer must carry (a renewed access token, in a header or a cookie), if any.
 */
export interface Admission {
  readonly context: AuthContext | null;
  readonly header: { readonly name: string; readonly value: string | string[] } | undefined;
}

/**
 * The framework-free check of one guard. `check` admits at once when the core can answer at once
 * (the steady state of cached sessions: no promise per request), else it returns a promise. A refusal
 * is an `AuthError` thrown (or rejected), for the adapter to answer with `HttpAuth.errorResponse`;
 * anything else is a bug and propagates, so that no adapter lets a request through on it.
 */
export interface HttpGuard {
  readonly demand: GuardDemand;
  check<Request>(request: Request, reader: RequestReader<Request>): Admission | Promise<Admission>;
}

const anonymous: Admission = Object.freeze({ context: null, header: undefined });

/**
 * Builds a guard. It reads only the locations of its demand: a header-only guard never looks at a
 * cookie (a request with only cookies is `token_missing`), a cookie-only guard never looks at the
 * header. The header first: a client's code sets it on purpose, whereas the browser attaches cookies
 * to every request; the cookie only when the header carries no credentials of our scheme. Never the
 * query string.
 */
export function createHttpGuard(settings: GuardSettings, demand: GuardDemand): HttpGuard {
  const { auth, header, scheme, renewedTokenHeader, cookies } = settings;
  const { kind, roles, scopes = [], issuers = [], predicate } = demand;
  const readsHeader = demand.locations.header;
  // Resolving the locations refused `cookie` without cookie mode; this only narrows the type.
  const cookieJar = demand.locations.cookie ? cookies?.jar : undefined;
  const knownToken = tokenPresentedAs(auth.tokens);

  function admit<Request>(
    request: Request,
    reader: RequestReader<Request>,
    context: AuthContext,
    fromCookie: boolean,
  ): Admission {
    // Header tokens cannot be sent by a cross-site form or image, so only cookie tokens need CSRF.
    // (Cookies hold only our own tokens: an external guard never reads them.)
    if (fromCookie && cookies !== undefined && context.tokenType !== 'external') {
      const policy = cookies.csrf;
      policy.check(
        {
          method: reader.method(request),
          headerValue: reader.header(request, policy.header),
          origin: firstValue(reader.header(request, 'origin')),
          secFetchSite: firstValue(reader.header(request, 'sec-fetch-site')),
          protocol: reader.protocol(request),
          host: reader.host(request),
        },
        context.claims.csrf,
      );
    }
    if (kind === 'fresh' && !context.fresh) throw new AuthError('fresh_token_required');
    if (kind === 'roles') auth.requireRoles(context, roles);
    if (kind === 'scopes') auth.requireScopes(context, scopes);
    if (kind === 'external') {
      if (issuers.length > 0 && !issuers.includes(context.issuer as string)) {
        throw new AuthError('token_invalid', { reason: 'issuer_not_allowed' });
      }
      if (roles.length > 0) auth.requireRoles(context, roles);
      if (scopes.length > 0) auth.requireScopes(context, scopes);
    }
    // A predicate that throws refuses too: a bug in a policy must not open the route.
    if (kind === 'claims' && !safely(predicate, context)) {
      throw new AuthError('insufficient_role', { message: "The token's claims do not satisfy this route" });
    }
    const renewed = context.renewedAccessToken;
    if (renewed === undefined) return { context, header: undefined };
    return {
      context,
      header:
        fromCookie && cookies !== undefined
          ? {
              name: 'set-cookie',
              // A browser-session cookie whatever the session: the request's token does not say
              // whether it was started with "remember me", and one without must not outlive the
              // browser. After a restart a remembered session renews from its refresh cookie.
              value: cookies.jar.setTokens({
                accessToken: renewed.token,
                accessMaxAge: renewed.expiresIn,
                remember: false,
              }),
            }
          : { name: renewedTokenHeader, value: renewed.token },
    };
  }

  return {
    demand,
    check(request, reader) {
      let token: string | undefined;
      let fromCookie = false;
      if (readsHeader) {
        const value = reader.header(request, header);
        // The token of a header value seen before, found without cutting it out (see tokenPresentedAs).
        if (typeof value === 'string') {
          const start = usualCredentialsStart(value, scheme);
          if (start > 0) token = knownToken(value, start);
        }
        token ??= readBearerCredentials(value, scheme);
      }
      if (token === undefined && cookieJar !== undefined) {
        const jar = cookieJar.read(firstValue(reader.header(request, 'cookie')));
        const fromJar = kind === 'refresh' ? jar.refresh : jar.access;
        if (fromJar !== undefined && fromJar.length > 0) {
          token = fromJar;
          fromCookie = true;
        }
      }
      if (token === undefined) {
        if (kind === 'optional') return anonymous;
        throw new AuthError('token_missing');
      }
      const context: AuthContext | Promise<AuthContext> =
        kind === 'refresh'
          ? auth.authenticateRefresh(token)
          : kind === 'external'
            ? auth.authenticateExternalNow(token)
            : auth.authenticateNow(token);
      return context instanceof Promise
        ? context.then((settled) => admit(request, reader, settled, fromCookie))
        : admit(request, reader, context, fromCookie);
    },
  };
}

function safely(predicate: ClaimsPredicate | undefined, context: AuthContext): boolean {
  if (context.tokenType === 'external') return false;
  try {
    return predicate?.(context.claims, context) === true;
  } catch {
    return false;
  }
}
