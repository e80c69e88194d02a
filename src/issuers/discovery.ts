import { fetchJson, fetchUrlProblem, IssuerFetchError } from './fetch.js';

/** Where an issuer publishes its metadata (OpenID Connect Discovery 1.0 section 4, RFC 8414 section 5). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/**
 * The `jwks_uri` of an issuer, from its discovery document. The document's `issuer` must equal the
 * configured one exactly (OpenID Connect Discovery section 4.3, RFC 8414 section 3.3): otherwise a
 * document served at that place could vouch for keys of another issuer. The `jwks_uri` must meet
 * the same rules as a configured one (HTTPS, or HTTP to loopback with `allowHttp`).
 */
export async function discoverJwksUri(
  issuer: string,
  settings: { allowHttp: boolean; timeoutMs: number; maxBytes: number; signal: AbortSignal },
): Promise<string> {
  const url = discoveryUrl(issuer);
  const document = await fetchJson(url, settings);
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new IssuerFetchError(`${url} is not a JSON object`);
  }
  const { issuer: named, jwks_uri: jwksUri } = document as Record<string, unknown>;
  if (named !== issuer) throw new IssuerFetchError(`${url} names another issuer than the configured one`);
  if (typeof jwksUri !== 'string') throw new IssuerFetchError(`${url} has no jwks_uri`);
  let parsed: URL;
  try {
    parsed = new URL(jwksUri);
  } catch {
    throw new IssuerFetchError(`${url} has a jwks_uri that is not a URL`);
  }
  const problem = fetchUrlProblem(parsed, settings.allowHttp);
  if (problem !== undefined) throw new IssuerFetchError(`the discovered jwks_uri ${problem}`);
  return parsed.href;
}
