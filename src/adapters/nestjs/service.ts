import type { IncomingMessage } from 'node:http';
import { HttpAdapterHost } from '@nestjs/core';
import type { Auth } from '../../auth.js';
import type { HttpAuth } from '../../http/http-auth.js';
import { nodeRequestReader } from '../../http/request.js';
import type { UpgradeCredentials } from '../../http/upgrade.js';
import type { TokenPair } from '../../sessions/types.js';
import { injectable } from './di.js';
import { AUTHJWT_HTTP } from './tokens.js';

/**
 * What routes that issue or end tokens need, on either platform: inject it
 * (`constructor(@Inject(AuthjwtService) private readonly authjwt: AuthjwtService)`) and pass the
 * platform's response (`@Res({ passthrough: true })`).
 */
export class AuthjwtService {
  readonly auth: Auth;

  constructor(
    /** The framework-free HTTP layer under the guards. */
    readonly http: HttpAuth,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.auth = http.auth;
  }

  /** Cookie mode: sets the access, refresh and CSRF cookies of a token pair on the answer. */
  setTokenCookies(response: unknown, pair: TokenPair): void {
    this.appendCookies(response, this.http.tokenCookies(pair));
  }

  /** Cookie mode: clears every cookie of ours. */
  clearTokenCookies(response: unknown): void {
    this.appendCookies(response, this.http.clearedCookies());
  }

  /** The JWKS to return from `/.well-known/jwks.json`, its caching header set on the answer. */
  jwks(response: unknown): ReturnType<HttpAuth['jwks']>['body'] {
    const jwks = this.http.jwks();
    for (const [name, value] of Object.entries(jwks.headers)) {
      this.adapterHost.httpAdapter.setHeader(response, name, value);
    }
    return jwks.body;
  }

  /**
   * The credentials of a WebSocket upgrade on the application's HTTP server (a `ws` server on
   * `app.getHttpServer()`), for `SocketSessions.accept()` of `authjwt/ws`. No platform parsed the
   * upgrade request: its scheme and host come from the socket and the `Host` header.
   */
  upgradeCredentials(request: IncomingMessage): UpgradeCredentials {
    return this.http.upgradeCredentials(request, nodeRequestReader);
  }

  private appendCookies(response: unknown, cookies: readonly string[]): void {
    for (const cookie of cookies) this.adapterHost.httpAdapter.appendHeader(response, 'set-cookie', cookie);
  }
}

injectable(AuthjwtService, AUTHJWT_HTTP, HttpAdapterHost);
