/**
 * The fetches of an issuer's documents (its discovery document and its JWKS): HTTPS only (plain
 * HTTP only to a loopback host, when the operator allows it), no redirects, a deadline, and a cap on
 * the body read, so that neither a slow nor a huge answer can hold memory or a request.
 */

/** Why a fetch of an issuer's document failed; the `cause` of a `jwks_unavailable` refusal. */
export class IssuerFetchError extends Error {
  override readonly name = 'IssuerFetchError';
}

/** Loopback hosts, by IP literal or the name RFC 6761 section 6.3 reserves for them. */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(hostname)
  );
}

/**
 * Why `url` may not be fetched (a sentence for a message), or `undefined` when it may: HTTPS, or
 * plain HTTP to a loopback host with `allowHttp`; no credentials in it. `allowHttp` itself is for
 * loopback only (tests, a provider beside the application), so with it any other host is refused,
 * even over HTTPS: the option says the operator thinks the issuer is local, and it is not.
 */
export function fetchUrlProblem(url: URL, allowHttp: boolean): string | undefined {
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if (allowHttp && !isLoopbackHost(url.hostname)) {
    return `allowHttp is for loopback hosts only, not ${url.hostname}`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:')
    return allowHttp ? undefined : 'must use https (allowHttp permits http to loopback)';
  return `must be an https URL, not ${url.protocol}`;
}

/**
 * `fetch` with the issuer rules: `redirect: 'manual'` (a 3xx is refused, same origin or not: the
 * configured or discovered URL is the one to use), 200 only, and the body read up to `maxBytes` (by
 * `Content-Length` when given, and counted as it streams in either case). The caller's signal bounds
 * the whole exchange, body included. Answers a fresh `Response` holding the bytes read, so it fits
 * jose's `customFetch`.
 */
export async function fetchCapped(
  url: string,
  init: { headers?: Headers; signal: AbortSignal },
  maxBytes: number,
): Promise<Response> {
  const response = await fetch(url, {
    method: 'GET',
    redirect: 'manual',
    signal: init.signal,
    ...(init.headers !== undefined && { headers: init.headers }),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    const redirect = response.status >= 300 && response.status < 400;
    throw new IssuerFetchError(
      `${url} answered ${response.status}${redirect ? '; redirects are not followed' : ''}`,
    );
  }
  const bytes = await readCapped(response, maxBytes, url);
  return new Response(bytes, { status: 200, headers: { 'content-type': 'application/json' } });
}

async function readCapped(response: Response, maxBytes: number, url: string): Promise<Uint8Array> {
  const tooLarge = () => new IssuerFetchError(`${url} answered more than ${maxBytes} bytes`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const body = response.body;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/** A JSON document fetched with {@link fetchCapped} within `timeoutMs` (or until `signal` aborts). */
export async function fetchJson(
  url: string,
  limits: { timeoutMs: number; maxBytes: number; signal: AbortSignal },
): Promise<unknown> {
  const signal = AbortSignal.any([AbortSignal.timeout(limits.timeoutMs), limits.signal]);
  const response = await fetchCapped(
    url,
    { headers: new Headers({ accept: 'application/json' }), signal },
    limits.maxBytes,
  );
  try {
    return JSON.parse(await response.text());
  } catch (cause) {
    throw new IssuerFetchError(`${url} did not answer JSON`, { cause });
  }
}
