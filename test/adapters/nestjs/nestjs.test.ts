import {
  type ArgumentsHost,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  HttpCode,
  Inject,
  type LoggerService,
  Module,
  Post,
  Res,
  type Type,
  UseFilters,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type Auth, AuthConfigError, AuthError, createAuth } from 'authjwt';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  AuthContext,
  type AuthenticatedRequest,
  AuthjwtExceptionFilter,
  AuthjwtModule,
  type AuthjwtModuleOptions,
  AuthjwtRefusal,
  AuthjwtService,
  OptionalAccess,
  OptionalAuthContext,
  Public,
  RequireAccess,
  RequireFresh,
  RequireRoles,
} from '../../../src/adapters/nestjs/index.js';
import { type NestTestApp, platforms, startNest } from './app.js';

/*
 * Issue 13, point 2: what the NestJS adapter adds beyond the conformance suite, on both platforms:
 * protect-everything with @Public() and `except` paths, controller-wide decorators, the parameter
 * decorators, refusals an application answers its own way without losing the code and challenge,
 * AuthErrors thrown by routes, token cookies and the JWKS, options checked at start-up, and no
 * token in what Nest logs.
 */

const secret = 'nestjs-adapter-test-secret-0123456789abcdef';
const newAuth = (options: { renew?: boolean } = {}) =>
  createAuth({
    signingKey: { alg: 'HS256', key: secret },
    ...(options.renew === true && { renewAccessTokenWithin: 900 }),
  });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function moduleOf(options: AuthjwtModuleOptions, controllers: Type[]): Type {
  @Module({ imports: [AuthjwtModule.forRoot(options)], controllers })
  class TestModule {}
  return TestModule;
}

@Controller()
class ProtectedController {
  @Get('me')
  me(@AuthContext() auth: AuthContext) {
    return { subject: auth.subject, roles: auth.roles, fresh: auth.fresh };
  }

  @Get('open')
  @Public()
  open(@OptionalAuthContext() auth: AuthContext | null) {
    return { subject: auth?.subject ?? null };
  }

  @Get('health')
  health(@OptionalAuthContext() auth: AuthContext | null) {
    return { ok: true, subject: auth?.subject ?? null };
  }

  @Get('docs/page')
  docs() {
    return { docs: true };
  }

  @Get('docs/admin')
  @RequireRoles('admin')
  docsAdmin() {
    return { admin: true };
  }

  @Get('maybe')
  @OptionalAccess()
  maybe(@AuthContext() auth: AuthContext) {
    return { subject: auth.subject };
  }
}

@Controller('admin')
@RequireRoles('admin')
class AdminController {
  @Get('stats')
  stats(@AuthContext() auth: AuthContext) {
    return { subject: auth.subject };
  }

  @Get('ping')
  @Public()
  ping() {
    return { pong: true };
  }

  @Get('fresh')
  @RequireFresh()
  fresh(@AuthContext() auth: AuthContext) {
    return { subject: auth.subject };
  }
}

@Catch(AuthjwtRefusal)
class ProblemFilter implements ExceptionFilter<AuthjwtRefusal> {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch(refusal: AuthjwtRefusal, host: ArgumentsHost) {
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    for (const [name, value] of Object.entries(refusal.headers)) httpAdapter.setHeader(response, name, value);
    httpAdapter.reply(response, { problem: refusal.error.code }, refusal.getStatus());
  }
}

@Controller()
class ErrorsController {
  @Get('own-filter')
  @RequireAccess()
  @UseFilters(ProblemFilter)
  ownFilter() {
    return {};
  }

  @Get('throttled')
  throttled() {
    throw new AuthError('too_many_attempts', { retryAfter: 30 });
  }

  @Get('bug')
  bug(): never {
    throw new Error('internal detail that must not reach the client');
  }
}

@Controller()
class TokensController {
  constructor(@Inject(AuthjwtService) private readonly authjwt: AuthjwtService) {}

  @Post('login')
  @HttpCode(200)
  async login(@Res({ passthrough: true }) response: unknown) {
    const pair = await this.authjwt.auth.login({ subject: 'alice', csrf: true });
    this.authjwt.setTokenCookies(response, pair);
    return { accessToken: pair.accessToken };
  }

  @Post('logout')
  @HttpCode(204)
  @RequireAccess()
  async logout(@AuthContext() auth: AuthContext, @Res({ passthrough: true }) response: unknown) {
    await this.authjwt.auth.logout(auth);
    this.authjwt.clearTokenCookies(response);
  }

  @Get('.well-known/jwks.json')
  @Public()
  jwks(@Res({ passthrough: true }) response: unknown) {
    return this.authjwt.jwks(response);
  }

  @Get('me')
  @RequireAccess()
  me(@AuthContext() auth: AuthContext) {
    return { subject: auth.subject };
  }
}

describe.each(platforms)('the NestJS adapter on %s', (platform) => {
  let running: NestTestApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  async function start(module: Type, options: Parameters<typeof startNest>[2] = {}): Promise<string> {
    running = await startNest(platform, module, options);
    return running.url;
  }

  describe('protect: every route guarded but @Public() ones and the except paths', () => {
    async function protectedApp(auth: Auth): Promise<string> {
      return start(
        moduleOf({ auth, protect: { except: ['/health', '/docs/*'] } }, [
          ProtectedController,
          AdminController,
        ]),
      );
    }

    it('refuses a route without a decorator when no token comes, and gives its context with one', async () => {
      const auth = newAuth();
      const pair = await auth.login({ subject: 'alice', claims: { roles: ['user'] } });
      const url = await protectedApp(auth);
      const refused = await fetch(`${url}/me`);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
      expect(((await refused.json()) as { code: string }).code).toBe('token_missing');
      const admitted = await fetch(`${url}/me`, { headers: bearer(pair.accessToken) });
      expect(await admitted.json()).toEqual({ subject: 'alice', roles: ['user'], fresh: true });
    });

    it('lets @Public() routes and the except paths in without reading a token', async () => {
      const auth = newAuth();
      const pair = await auth.login({ subject: 'alice' });
      const url = await protectedApp(auth);
      expect(await (await fetch(`${url}/open`)).json()).toEqual({ subject: null });
      // Public: not even a forged token is looked at.
      expect((await fetch(`${url}/open`, { headers: bearer('forged') })).status).toBe(200);
      expect(await (await fetch(`${url}/health`)).json()).toEqual({ ok: true, subject: null });
      expect(await (await fetch(`${url}/docs/page`)).json()).toEqual({ docs: true });
      expect((await fetch(`${url}/health`, { headers: bearer(pair.accessToken) })).status).toBe(200);
    });

    it("a route's own decorator wins over an except path", async () => {
      const auth = newAuth();
      const user = await auth.login({ subject: 'alice', claims: { roles: ['user'] } });
      const url = await protectedApp(auth);
      expect((await fetch(`${url}/docs/admin`)).status).toBe(401);
      expect((await fetch(`${url}/docs/admin`, { headers: bearer(user.accessToken) })).status).toBe(403);
    });

    it("a controller's decorator guards every handler; a handler's own decorator replaces it", async () => {
      const auth = newAuth();
      const user = await auth.login({ subject: 'alice', claims: { roles: ['user'] } });
      const admin = await auth.login({ subject: 'root', claims: { roles: ['admin'] } });
      const url = await protectedApp(auth);
      const forbidden = await fetch(`${url}/admin/stats`, { headers: bearer(user.accessToken) });
      expect(forbidden.status).toBe(403);
      expect(((await forbidden.json()) as { code: string }).code).toBe('insufficient_role');
      expect(
        await (await fetch(`${url}/admin/stats`, { headers: bearer(admin.accessToken) })).json(),
      ).toEqual({ subject: 'root' });
      expect(await (await fetch(`${url}/admin/ping`)).json()).toEqual({ pong: true });
      const refreshed = await auth.refresh(admin.refreshToken);
      const stale = await fetch(`${url}/admin/fresh`, { headers: bearer(refreshed.accessToken) });
      expect([stale.status, ((await stale.json()) as { code: string }).code]).toEqual([
        401,
        'fresh_token_required',
      ]);
      expect((await fetch(`${url}/admin/fresh`, { headers: bearer(admin.accessToken) })).status).toBe(200);
    });

    it('@AuthContext() on a route open to anonymous requests refuses one without a token (401, never 500)', async () => {
      const auth = newAuth();
      const pair = await auth.login({ subject: 'alice' });
      const url = await protectedApp(auth);
      const refused = await fetch(`${url}/maybe`);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
      expect(((await refused.json()) as { code: string }).code).toBe('token_missing');
      expect(await (await fetch(`${url}/maybe`, { headers: bearer(pair.accessToken) })).json()).toEqual({
        subject: 'alice',
      });
    });
  });

  it('checks a request once when the global guard and a route guard both run (one renewed token)', async () => {
    const auth = newAuth({ renew: true });
    const pair = await auth.login({ subject: 'alice' });
    const url = await start(moduleOf({ auth, protect: true }, [TokensController]));
    const response = await fetch(`${url}/me`, { headers: bearer(pair.accessToken) });
    expect(response.status).toBe(200);
    const renewed = response.headers.get('x-renewed-access-token') ?? '';
    expect(renewed.split('.').length).toBe(3);
    expect(renewed.includes(',')).toBe(false);
  });

  it("an application's own filter for AuthjwtRefusal keeps the status, code and challenge", async () => {
    const auth = newAuth();
    const url = await start(moduleOf({ auth }, [ErrorsController]));
    const refused = await fetch(`${url}/own-filter`, { headers: bearer('not.a.token') });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(await refused.json()).toEqual({ problem: 'token_invalid' });
  });

  it("an application's catch-all global filter hands refusals to AuthjwtExceptionFilter", async () => {
    const auth = newAuth();
    const url = await start(moduleOf({ auth }, [ErrorsController, TokensController]), {
      configure: (app) => {
        const refusals = app.get(AuthjwtExceptionFilter);
        const adapter = app.get(HttpAdapterHost).httpAdapter;
        app.useGlobalFilters({
          catch: (exception: unknown, host: ArgumentsHost) => {
            if (refusals.answers(exception)) return refusals.catch(exception, host);
            adapter.reply(host.switchToHttp().getResponse(), { mine: true }, 500);
          },
        });
      },
    });
    const refused = await fetch(`${url}/me`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await refused.json()) as { code: string }).code).toBe('token_missing');
    expect(await (await fetch(`${url}/bug`)).json()).toEqual({ mine: true });
  });

  it('refusalBody: its body for every refusal, the contract body when it gives one that is not JSON', async () => {
    const auth = newAuth();
    const seen: string[] = [];
    const url = await start(
      moduleOf(
        {
          auth,
          refusalBody: (error) => {
            seen.push(error.code);
            return error.code === 'token_invalid' ? { cycle: BigInt(1) } : { problem: error.code };
          },
        },
        [TokensController],
      ),
    );
    const missing = await fetch(`${url}/me`);
    expect([missing.status, await missing.json()]).toEqual([401, { problem: 'token_missing' }]);
    const invalid = await fetch(`${url}/me`, { headers: bearer('not.a.token') });
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await invalid.json()) as { code: string }).code).toBe('token_invalid');
    expect(seen).toEqual(['token_missing', 'token_invalid']);
  });

  it("answers an AuthError a route throws in the contract's shape, and leaves other errors to Nest (500, no detail)", async () => {
    const auth = newAuth();
    const url = await start(moduleOf({ auth }, [ErrorsController]));
    const throttled = await fetch(`${url}/throttled`);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('30');
    expect(((await throttled.json()) as { code: string }).code).toBe('too_many_attempts');
    const bug = await fetch(`${url}/bug`);
    expect(bug.status).toBe(500);
    expect(await bug.text()).not.toContain('internal detail');
  });

  it('sets the token cookies at login, admits a cookie request, clears them at logout, serves the JWKS', async () => {
    const auth = newAuth();
    const url = await start(moduleOf({ auth, cookies: true }, [TokensController]));
    const login = await fetch(`${url}/login`, { method: 'POST' });
    const cookies = login.headers.getSetCookie();
    expect(cookies.map((line) => line.split('=')[0])).toEqual([
      '__Host-access',
      '__Host-refresh',
      '__Host-csrf',
    ]);
    const cookie = cookies.map((line) => line.split(';')[0]).join('; ');
    expect(await (await fetch(`${url}/me`, { headers: { cookie } })).json()).toEqual({ subject: 'alice' });
    const csrf =
      cookies
        .find((line) => line.startsWith('__Host-csrf='))
        ?.split(';')[0]
        ?.slice(12) ?? '';
    const logout = await fetch(`${url}/logout`, {
      method: 'POST',
      headers: { cookie, origin: url, 'x-csrf-token': csrf },
    });
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie().every((line) => /max-age=0/i.test(line))).toBe(true);
    expect((await fetch(`${url}/me`, { headers: { cookie } })).status).toBe(401);
    const jwks = await fetch(`${url}/.well-known/jwks.json`);
    expect(jwks.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await jwks.json()).toEqual({ keys: [] });
  });

  it('logs no token: refusals are not logged, an unknown error is logged without the request', async () => {
    const lines: string[] = [];
    const record = (...parts: unknown[]) => {
      lines.push(
        parts
          .map((part) => (part instanceof Error ? `${part.message} ${part.stack}` : String(part)))
          .join(' '),
      );
    };
    const logger: LoggerService = {
      log: record,
      error: record,
      warn: record,
      debug: record,
      verbose: record,
    };
    const auth = newAuth();
    const pair = await auth.login({ subject: 'alice' });
    const url = await start(moduleOf({ auth }, [TokensController, ErrorsController]), { logger });
    await (await fetch(`${url}/me`, { headers: bearer(`${pair.accessToken}x`) })).arrayBuffer();
    await auth.logout(pair.accessToken);
    await (await fetch(`${url}/me`, { headers: bearer(pair.accessToken) })).arrayBuffer();
    await (await fetch(`${url}/bug`, { headers: bearer(pair.accessToken) })).arrayBuffer();
    const signature = pair.accessToken.split('.')[2] ?? '';
    expect(lines.some((line) => line.includes(signature) || line.includes(pair.sessionId))).toBe(false);
    expect(lines.some((line) => line.includes('internal detail'))).toBe(true);
  });

  it('forRootAsync: options made by a factory with its injections', async () => {
    const auth = newAuth();
    const pair = await auth.login({ subject: 'alice' });
    @Module({ providers: [{ provide: 'AUTH', useValue: auth }], exports: ['AUTH'] })
    class AuthProviderModule {}
    @Module({
      imports: [
        AuthjwtModule.forRootAsync({
          imports: [AuthProviderModule],
          inject: ['AUTH'],
          useFactory: async (injected: Auth) => ({ auth: injected, protect: true }),
        }),
      ],
      controllers: [ProtectedController],
    })
    class AsyncModule {}
    const url = await start(AsyncModule);
    expect((await fetch(`${url}/me`)).status).toBe(401);
    expect((await fetch(`${url}/me`, { headers: bearer(pair.accessToken) })).status).toBe(200);
  });

  describe('misconfigurations stop the application at start-up', () => {
    it('a guard option the HTTP layer refuses (a cookie location without cookie mode)', async () => {
      @Controller()
      class CookieController {
        @Get('x')
        @RequireAccess({ from: 'cookie' })
        x() {
          return {};
        }
      }
      await expect(startNest(platform, moduleOf({ auth: newAuth() }, [CookieController]))).rejects.toThrow(
        AuthConfigError,
      );
    });

    it('@AuthContext() on a route that no authjwt guard protects', async () => {
      @Controller()
      class UnguardedController {
        @Get('x')
        x(@AuthContext() auth: AuthContext) {
          return { subject: auth.subject };
        }
      }
      const started = startNest(platform, moduleOf({ auth: newAuth() }, [UnguardedController]));
      await expect(started).rejects.toThrow(/UnguardedController\.x is not protected/);
    });

    it('a decorated route without AuthjwtModule (never an open route)', async () => {
      @Controller()
      class OrphanController {
        @Get('x')
        @RequireAccess()
        x() {
          return {};
        }
      }
      @Module({ controllers: [OrphanController] })
      class OrphanModule {}
      await expect(startNest(platform, OrphanModule)).rejects.toThrow(/AuthjwtGuard/);
    });

    it('a protect option that is not one', async () => {
      const options = { auth: newAuth(), protect: 'yes' } as unknown as AuthjwtModuleOptions;
      await expect(startNest(platform, moduleOf(options, [ProtectedController]))).rejects.toThrow(
        /option `protect`/,
      );
    });
  });
});

describe('the NestJS decorators', () => {
  it('refuse two authjwt decorators on one handler, as soon as the class is defined', () => {
    expect(() => {
      class Twice {
        @RequireFresh()
        @RequireRoles('admin')
        x() {}
      }
      return Twice;
    }).toThrow(/@RequireFresh\(\)`: cannot be combined with @RequireRoles\(\)/);
  });

  it('type the context of a guarded route as present', () => {
    expectTypeOf<AuthContext>().not.toBeNullable();
    expectTypeOf<AuthenticatedRequest['auth']>().toEqualTypeOf<AuthContext>();
  });
});
