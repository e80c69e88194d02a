import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * A real OpenID provider (panva's oidc-provider 8) on a free loopback port, issuing RFC 9068 JWT
 * access tokens by the client credentials grant for any resource indicator. `rotate()` publishes a
 * new signing key (kept first, so new tokens are signed with it) beside the old ones, as a provider
 * rolls its keys; it is the same server and issuer, with a new provider configuration behind it.
 */
export interface TestProvider {
  /** The issuer identifier: `http://127.0.0.1:<port>`. */
  readonly issuer: string;
  /** A JWT access token for `resource` (its `aud`) granting `scope`. */
  accessToken(options?: { resource?: string; scope?: string }): Promise<string>;
  /** Adds a new signing key in front of the published ones; returns its `kid`. */
  rotate(): Promise<string>;
  /** How many times the JWKS and the discovery document were fetched. */
  readonly fetches: { jwks: number; discovery: number };
  close(): Promise<void>;
}

export const resource = 'https://api.example.test';
const clientId = 'orders-service';
const clientSecret = 'orders-service-secret-0123456789abcdef';

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
  async findByUid() {
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
    ],
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
    ttl: { ClientCredentials: 300 },
  };
}

export async function startProvider(): Promise<TestProvider> {
  const keys = [signingKey('key-1')];
  const fetches = { jwks: 0, discovery: 0 };
  let handle: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;
  const server = createServer((request, response) => {
    if (request.url === '/jwks') fetches.jwks++;
    if (request.url === '/.well-known/openid-configuration') fetches.discovery++;
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const configure = () => {
    const provider = new Provider(issuer, configuration(keys));
    // The provider's own notices (development defaults) are not the test's business.
    provider.on('server_error', () => undefined);
    handle = provider.callback();
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
      if (body.access_token === undefined)
        throw new Error(`the provider issued no token: ${JSON.stringify(body)}`);
      return body.access_token;
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
