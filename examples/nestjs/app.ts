/*
 * authjwt on NestJS 12 (Express platform, or Fastify): log in with a password, call /me and a
 * role-guarded route, refresh, log out; with `cookies: true` the same for browsers, in HttpOnly
 * cookies with a CSRF header. Run it with `npx tsx --conditions=authjwt-source examples/nestjs/main.ts`
 * (README, "Run it"). Nest's decorators need `"experimentalDecorators": true` in tsconfig.json; no
 * `emitDecoratorMetadata`: the controllers name what they inject with `@Inject()`.
 */
// #region quick-start
import {
  Body,
  Controller,
  Get,
  HttpCode,
  type INestApplication,
  Inject,
  Ip,
  Module,
  type OnApplicationShutdown,
  Post,
  Res,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { type Auth, createAuth, type TokenPair } from 'authjwt';
import {
  AuthContext,
  AuthjwtModule,
  AuthjwtService,
  RequireAccess,
  RequireRefresh,
  RequireRoles,
} from 'authjwt/nestjs';
import { checkPassword, readCredentials } from './users.js'; // alice / alice-pass, admin / admin-pass

/** Login and refresh answer alike: the OAuth 2 token response (RFC 6749, section 5.1). */
const tokenBody = (pair: TokenPair) => ({
  access_token: pair.accessToken,
  refresh_token: pair.refreshToken,
  token_type: pair.tokenType,
  expires_in: pair.expiresIn,
});

/** The password checked under login throttling (429 past the limits), then a new session. */
async function logIn(auth: Auth, body: unknown, client: string, csrf = false) {
  const { username, password } = readCredentials(body);
  const user = await auth.throttleLogin({ account: username, client }, () =>
    checkPassword(username, password),
  );
  return auth.login({ subject: user.id, claims: { roles: user.roles }, csrf });
}

@Controller()
class AuthController {
  constructor(@Inject(AuthjwtService) private readonly authjwt: AuthjwtService) {}

  @Post('auth/login')
  @HttpCode(200) // Nest answers a POST with 201 otherwise
  async login(@Body() body: unknown, @Ip() ip: string) {
    return tokenBody(await logIn(this.authjwt.auth, body, ip));
  }

  // The refresh token from the Authorization header only: this route answers with tokens in its body.
  @Post('auth/refresh')
  @HttpCode(200)
  @RequireRefresh()
  async refresh(@AuthContext() auth: AuthContext) {
    return tokenBody(await this.authjwt.auth.refresh(auth));
  }

  @Post('auth/logout')
  @HttpCode(204)
  @RequireAccess()
  async logout(@AuthContext() auth: AuthContext) {
    await this.authjwt.auth.logout(auth);
  }

  @Get('me')
  @RequireAccess()
  me(@AuthContext() auth: AuthContext) {
    return { user: auth.subject, roles: auth.roles };
  }

  @Get('admin')
  @RequireRoles('admin')
  admin() {
    return { admin: true };
  }
}

export async function buildApp({
  secret,
  cookies = false,
  platform = 'express',
}: {
  secret: string;
  cookies?: boolean;
  platform?: 'express' | 'fastify';
}): Promise<INestApplication> {
  const auth = createAuth({ signingKey: { alg: 'HS256', key: secret } }); // sessions: memoryStore()

  // AuthjwtModule brings the guard behind the decorators and the filter that answers refusals (and
  // the AuthErrors routes throw: 401 at a wrong password, 429) in the contract's shape.
  @Module({
    imports: [AuthjwtModule.forRoot({ auth, cookies })],
    controllers: cookies ? [AuthController, CookieAuthController] : [AuthController],
  })
  class AppModule implements OnApplicationShutdown {
    onApplicationShutdown() {
      return auth.close(); // app.close() ends the sessions' store with the app
    }
  }

  const adapter = platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
  // abortOnError: false, so a misconfiguration rejects here rather than aborting the process.
  return NestFactory.create(AppModule, adapter, { logger: ['error', 'warn'], abortOnError: false });
}
// #endregion

// #region cookies
/** Cookie mode: these routes read cookies only, and the new tokens go back into cookies, never into a body. */
@Controller('auth/cookie')
class CookieAuthController {
  constructor(@Inject(AuthjwtService) private readonly authjwt: AuthjwtService) {}

  @Post('login')
  @HttpCode(204)
  async login(@Body() body: unknown, @Ip() ip: string, @Res({ passthrough: true }) response: unknown) {
    this.authjwt.setTokenCookies(response, await logIn(this.authjwt.auth, body, ip, true));
  }

  // A token read from a cookie on a POST also needs the CSRF cookie's value in X-CSRF-Token (403 csrf_failed).
  @Post('refresh')
  @HttpCode(204)
  @RequireRefresh({ from: 'cookie' })
  async refresh(@AuthContext() auth: AuthContext, @Res({ passthrough: true }) response: unknown) {
    this.authjwt.setTokenCookies(response, await this.authjwt.auth.refresh(auth));
  }

  @Post('logout')
  @HttpCode(204)
  @RequireAccess({ from: 'cookie' })
  async logout(@AuthContext() auth: AuthContext, @Res({ passthrough: true }) response: unknown) {
    await this.authjwt.auth.logout(auth);
    this.authjwt.clearTokenCookies(response);
  }
}
// #endregion
