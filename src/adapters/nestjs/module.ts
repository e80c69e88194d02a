import type { DynamicModule, ModuleMetadata, Provider } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { createHttpAuth } from '../../http/http-auth.js';
import { AuthjwtExceptionFilter } from './exception-filter.js';
import { AuthjwtGlobalGuard, AuthjwtGuard } from './guard.js';
import type { AuthjwtModuleAsyncOptions, AuthjwtModuleOptions } from './options.js';
import { AuthjwtRoutes } from './routes.js';
import { AuthjwtService } from './service.js';
import { AUTHJWT_HTTP, AUTHJWT_OPTIONS } from './tokens.js';

/**
 * The authjwt module, imported once in the application's root module. It is global: its guard, its
 * `AuthjwtService` and the HTTP layer (`AUTHJWT_HTTP`) are there for every module. It registers the
 * guard for the whole application (which checks decorated routes, and with `protect` every route) and
 * the filter that answers refusals.
 *
 * ```ts
 * @Module({ imports: [AuthjwtModule.forRoot({ auth, protect: { except: ['/health'] } })], controllers })
 * class AppModule {}
 * ```
 */
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest module is a class; forRoot() is how Nest users configure one.
export class AuthjwtModule {
  static forRoot(options: AuthjwtModuleOptions): DynamicModule {
    return definition({ provide: AUTHJWT_OPTIONS, useValue: options }, []);
  }

  /** The options made by a factory, with what it injects: `{ imports, inject, useFactory }`. */
  static forRootAsync(options: AuthjwtModuleAsyncOptions): DynamicModule {
    return definition(
      { provide: AUTHJWT_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
      options.imports ?? [],
    );
  }
}

Module({})(AuthjwtModule);

function definition(
  optionsProvider: Provider,
  imports: NonNullable<ModuleMetadata['imports']>,
): DynamicModule {
  return {
    module: AuthjwtModule,
    global: true,
    imports: [DiscoveryModule, ...imports],
    providers: [
      optionsProvider,
      // Options are checked here, once, when the application starts.
      { provide: AUTHJWT_HTTP, useFactory: createHttpAuth, inject: [AUTHJWT_OPTIONS] },
      AuthjwtRoutes,
      AuthjwtService,
      AuthjwtGuard,
      AuthjwtExceptionFilter,
      { provide: APP_GUARD, useClass: AuthjwtGlobalGuard },
      { provide: APP_FILTER, useExisting: AuthjwtExceptionFilter },
    ],
    exports: [
      AUTHJWT_HTTP,
      AUTHJWT_OPTIONS,
      AuthjwtRoutes,
      AuthjwtService,
      AuthjwtGuard,
      AuthjwtExceptionFilter,
    ],
  };
}
