import { createHash, generateKeyPairSync, type JsonWebKey, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type InteractionDetails } from 'oidc-provider';

/**
 * A real OpenID provider (panva's oidc-provider 8) on a free loopback port, issuing RFC 9068 JWT
 * access tokens by the client credentials grant for any resource indicator, and ID tokens by a real
 * OpenID Connect sign-in (authorization code flow with PKCE) of the web client. `rotate()` publishes a
 * new signing key (kept first, so new tokens are signed with it) beside the old ones, as a provider
 * rolls its keys; it is the same server and issuer, with a new provider configuration behind it.
 */
export interface TestProvider {
  /** The issuer identifier: `http://127.0.0.1:<port>`. */
  readonly issuer: string;
  /** A JWT access token for `resource` (its `aud`) granting `scope`. */
  accessToken(options?: { resource?: string; scope?: string }): Promise<string>;
  /**
   * An ID token for `webClientId` (its `aud`) from a sign-in as a browser and relying party run it:
   * `/auth` with `state`, PKCE S256, `nonce` when given and `login_hint` = `accountId` (default
   * `defaultAccountId`), the helper's own interaction signing the account in and granting `scope`
   * (default `openid`; `openid email` adds an `email` claim), then the code redeemed at `/token`.
   */
  idToken(options?: { accountId?: string; nonce?: string; scope?: string }): Promise<string>;
  /** Adds a new signing key in front of the published ones; returns its `kid`. */
  rotate(): Promise<string>;
  /** How many times the JWKS and the discovery document were fetched. */
  readonly fetches: { jwks: number; discovery: number };
  close(): Promise<void>;
}

export const resource = 'https://api.example.test';
const clientId = 'orders-service';
const clientSecret = 'orders-service-secret-0123456789abcdef';
/** The relying party that signs end-users in (authorization code flow, client_secret_basic). */
export const webClientId = 'web-app';
export const webClientSecret = 'web-app-secret-0123456789abcdef';
/** Registered for the web client; the sign-in stops at it and never fetches it. */
export const webRedirectUri = 'http://127.0.0.1/web-app/callback';
/** Who signs in when `idToken()` names no account. */
export const defaultAccountId = 'alice';

function signingKey(kid: string): JsonWebKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

/** oidc-provider's storage, in memory (its own in-memory adapter warns on every start). */
class MemoryAdapter {
  static readonly entries = new Map<string, Record<string, unknown>>();
  readonly #name: string;
  constructor(name: string) {
    this.#name = name;
  }
  #key(id: string) {
    return `${this.#name}:${id}`;
  }
  async upsert(id: string, payload: Record<string, unknown>) {
    MemoryAdapter.entries.set(this.#key(id), payload);
  }
  async find(id: string) {
    return MemoryAdapter.entries.get(this.#key(id));
  }
  /** A session by its uid: codes and tokens bound to a session are checked against it. */
  async findByUid(uid: string) {
    for (const [key, payload] of MemoryAdapter.entries)
      if (key.startsWith(`${this.#name}:`) && payload.uid === uid) return payload;
    return undefined;
  }
  async findByUserCode() {
    return undefined;
  }
  async consume(id: string) {
    const entry = MemoryAdapter.entries.get(this.#key(id));
    if (entry !== undefined) entry.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string) {
    MemoryAdapter.entries.delete(this.#key(id));
  }
  async revokeByGrantId() {}
}

function configuration(keys: JsonWebKey[]) {
  return {
    adapter: MemoryAdapter,
    cookies: { keys: ['oidc-provider-test-cookie-key-0123456789'] },
    jwks: { keys },
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      },
      {
        client_id: webClientId,
        client_secret: webClientSecret,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [webRedirectUri],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], email: ['email'] },
    findAccount: (_context: unknown, accountId: string) => ({
      accountId,
      claims: () => ({ sub: accountId, email: `${accountId}@example.test` }),
    }),
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_context: unknown, indicator: string) => ({
          scope: 'read:items write:items',
          audience: indicator,
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    ttl: {
      ClientCredentials: 300,
      AccessToken: 300,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
  };
}

/**
 * The provider's interaction page, answered at once as a user who signs in as the login hint and
 * consents to everything asked (devInteractions stays off: this is the app's side of the protocol).
 */
async function finishInteraction(provider: Provider, request: IncomingMessage, response: ServerResponse) {
  const details: InteractionDetails = await provider.interactionDetails(request, response);
  const { params, prompt } = details;
  const loginHint = typeof params.login_hint === 'string' ? params.login_hint : defaultAccountId;
  const accountId = details.session?.accountId ?? loginHint;
  const grant =
    (details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)) ??
    new provider.Grant({ accountId, clientId: String(params.client_id) });
  if (typeof params.scope === 'string') grant.addOIDCScope(params.scope);
  const resourceScopes = (prompt.details.missingResourceScopes ?? {}) as Record<string, string[]>;
  for (const [indicator, scopes] of Object.entries(resourceScopes))
    grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  await provider.interactionFinished(request, response, { login: { accountId }, consent: { grantId } });
}

/** The browser's cookies for the provider's origin, kept by name and path as a browser keeps them. */
class CookieJar {
  readonly #cookies = new Map<string, { name: string; value: string; path: string }>();

  keep(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...parts] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const attributes = new Map(
        parts.map((part) => {
          const [key = '', attribute = ''] = part.split('=');
          return [key.trim().toLowerCase(), attribute.trim()] as const;
        }),
      );
      const path = attributes.get('path') || '/';
      const maxAge = attributes.get('max-age');
      const expires = attributes.get('expires');
      const expired =
        (maxAge !== undefined && Number(maxAge) <= 0) ||
        (expires !== undefined && Date.parse(expires) <= Date.now());
      if (expired) this.#cookies.delete(`${path} ${name}`);
      else this.#cookies.set(`${path} ${name}`, { name, value, path });
    }
  }

  headers(url: URL): Record<string, string> {
    const sent = [...this.#cookies.values()].filter(
      ({ path }) => url.pathname === path || url.pathname.startsWith(path.endsWith('/') ? path : `${path}/`),
    );
    return sent.length === 0 ? {} : { cookie: sent.map(({ name, value }) => `${name}=${value}`).join('; ') };
  }
}

/** Follows the provider's redirects by hand, as a browser does, until one leads to the redirect URI. */
async function followToRedirectUri(start: URL, jar: CookieJar): Promise<URL> {
  let url = start;
  for (let hops = 0; hops < 10; hops++) {
    const response = await fetch(url, { redirect: 'manual', headers: jar.headers(url) });
    jar.keep(response);
    await response.arrayBuffer();
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || location === null)
      throw new Error(`the sign-in stopped at ${url.pathname} with status ${response.status}`);
    const next = new URL(location, url);
    if (`${next.origin}${next.pathname}` === webRedirectUri) return next;
    url = next;
  }
  throw new Error('the sign-in never came back to the redirect URI');
}

export async function startProvider(): Promise<TestProvider> {
  const keys = [signingKey('key-1')];
  const fetches = { jwks: 0, discovery: 0 };
  let provider: Provider | undefined;
  let handle: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;
  const server = createServer((request, response) => {
    if (request.url === '/jwks') fetches.jwks++;
    if (request.url === '/.well-known/openid-configuration') fetches.discovery++;
    if (provider !== undefined && request.url?.startsWith('/interaction/')) {
      finishInteraction(provider, request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(error instanceof Error ? error.message : 'interaction failed');
      });
      return;
    }
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const configure = () => {
    const current = new Provider(issuer, configuration(keys));
    // The provider's own notices (development defaults) are not the test's business.
    current.on('server_error', () => undefined);
    handle = current.callback();
    provider = current;
  };
  configure();
  let rotations = 1;
  return {
    issuer,
    fetches,
    async accessToken({ resource: audience = resource, scope = 'read:items' } = {}) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource: audience }),
      });
      const body = (await response.json()) as { access_token?: string };
      if (body.access_token === undefined) throw new Error(`the provider issued no token:`);
      return body.access_token;
    },
    async idToken({ accountId, nonce, scope = 'openid' } = {}) {
      const jar = new CookieJar();
      const state = randomBytes(16).toString('base64url');
      const codeVerifier = randomBytes(32).toString('base64url');
      const authorization = new URL(`${issuer}/auth`);
      authorization.search = new URLSearchParams({
        client_id: webClientId,
        response_type: 'code',
        redirect_uri: webRedirectUri,
        scope,
        state,
        code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
        code_challenge_method: 'S256',
        ...(nonce === undefined ? {} : { nonce }),
        ...(accountId === undefined ? {} : { login_hint: accountId }),
      }).toString();
      const callback = await followToRedirectUri(authorization, jar);
      const code = callback.searchParams.get('code');
      if (callback.searchParams.get('state') !== state)
        throw new Error('the sign-in came back with another state');
      if (code === null)
        throw new Error(`the provider refused the sign-in: ${callback.searchParams.get('error')}`);
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${webClientId}:${webClientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: webRedirectUri,
          code_verifier: codeVerifier,
        }),
      });
      const body = (await response.json()) as { id_token?: string; error?: string };
      if (body.id_token === undefined) throw new Error(`the provider issued no ID token: ${body.error}`);
      return body.id_token;
    },
    async rotate() {
      rotations++;
      const kid = `key-${rotations}`;
      keys.unshift(signingKey(kid));
      configure();
      return kid;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
