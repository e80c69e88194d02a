import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import type { HttpAuthOptions, ProtectOptions } from '../../http/http-auth.js';

/** Options of `AuthjwtModule.forRoot()`: the HTTP layer's, and whether every route is protected. */
export interface AuthjwtModuleOptions extends HttpAuthOptions {
  /**
   * Protect everything with exclusions: every route without an authjwt decorator demands a valid
   * access token, but those marked `@Public()` and the `except` paths (`'/health'`, `'/public/*'`, a
   * RegExp; matched on the request path, global prefix included). A route's own decorator always
   * wins over an `except` path. Default: off, only decorated routes are guarded.
   */
  protect?: boolean | ProtectOptions;
}

/** Options of `AuthjwtModule.forRootAsync()`: the module's options made by a factory with injections. */
export interface AuthjwtModuleAsyncOptions {
  /** Modules whose providers the factory injects (a `ConfigModule`). */
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  // biome-ignore lint/suspicious/noExplicitAny: the injected values are whatever `inject` names, as in Nest's own FactoryProvider.
  useFactory: (...args: any[]) => AuthjwtModuleOptions | Promise<AuthjwtModuleOptions>;
}
