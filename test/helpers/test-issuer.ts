import { generateKeyPairSync, type JsonWebKey, type KeyObject, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthError } from 'authjwt';
import { afterEach } from 'vitest';

/**
 * A small node:http server playing an issuer (its JWKS, its discovery document, or something
 * hostile instead), and tokens signed as that issuer would sign them. For the hostile cases a real
 * provider cannot play; the real one is in oidc-provider.ts.
 */
export interface TestIssuer {
  readonly url: string;
  /** Requests received, by path. */
  readonly hits: Map<string, number>;
  hitsOf(path: string): number;
  /** Replaces what the server answers. */
  handle(handler: (request: IncomingMessage, response: ServerResponse) => void): void;
  close(): Promise<void>;
}

export async function startIssuer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<TestIssuer> {
  let current = handler;
  const hits = new Map<string, number>();
  const server = createServer((request, response) => {
    const path = request.url ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    current(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    hitsOf: (path) => hits.get(path) ?? 0,
    handle(next) {
      current = next;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers `body` as JSON. */
export function json(response: ServerResponse, body: unknown, status = 200): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** The public JWK as an issuer publishes it. */
  readonly jwk: JsonWebKey;
}

/** An ES256 key pair, published with `kid`, `alg` and `use: 'sig'` unless `extra` says otherwise. */
export function es256Key(kid: string, extra: Record<string, unknown> = {}): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    kid,
    privateKey,
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig', ...extra },
  };
}

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS of `header` and `payload`, signed by `signer` over the signing input. */
export function compact(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signer: (input: Buffer) => Buffer,
): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${signer(Buffer.from(input)).toString('base64url')}`;
}

/** An ES256 token signed by `key`, its header naming `key.kid` unless `header` says otherwise. */
export function es256Token(
  key: SigningKey,
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  return compact({ alg: 'ES256', kid: key.kid, ...header }, payload, (input) =>
    sign('sha256', input, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }),
  );
}

/** Standard claims of a token for `issuer` and audience `api`, valid for five minutes from now. */
export function claimsFor(issuer: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: issuer, aud: 'api', sub: 'svc', iat: now, exp: now + 300, ...extra };
}

export const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Waits until `condition` holds, polling, for at most `timeoutMs`; throws if it never does. */
export async function eventually(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('the condition never held');
    await sleep(10);
  }
}

/** The refusal of a promise that must reject with an AuthError (a resolution fails the test). */
export async function refusal(promise: Promise<unknown>): Promise<AuthError> {
  try {
    await promise;
  } catch (error) {
    return error as AuthError;
  }
  throw new Error('expected a refusal');
}

/** What a test opens (issuers, auth instances, apps), closed after each test, the last opened first. */
export function closedAfterEach(): { close(): Promise<void> }[] {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const resource of open.splice(0).reverse()) await resource.close();
  });
  return open;
}

/** An issuer publishing `keys` at `/jwks`, with a discovery document naming them. */
export async function startKeySetIssuer(keys: readonly SigningKey[]): Promise<TestIssuer> {
  const issuer = await startIssuer((request, response) => {
    if (request.url === '/.well-known/openid-configuration') {
      json(response, { issuer: issuer.url, jwks_uri: `${issuer.url}/jwks` });
    } else json(response, { keys: keys.map((key) => key.jwk) });
  });
  return issuer;
}
