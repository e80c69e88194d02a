/**
 * `authjwt/nestjs`: the NestJS adapter (Nest 12, Express and Fastify platforms). A module, one guard,
 * decorators per guard of the HTTP layer, and a parameter decorator for the context:
 *
 * ```ts
 * @Controller('admin')
 * @RequireRoles('admin')
 * class AdminController {
 *   @Get('me')
 *   me(@AuthContext() auth: AuthContext) {
 *     return { user: auth.subject };
 *   }
 * }
 *
 * @Module({ imports: [AuthjwtModule.forRoot({ auth })], controllers: [AdminController] })
 * class AppModule {}
 * ```
 *
 * Everything about a request (where the token is read, CSRF, admission, renewal, refusals) is the
 * HTTP layer's (`authjwt/http`); this adapter reads the request, runs the layer's guard and writes its
 * answer. Its classes name their dependencies explicitly, so neither it nor the application needs
 * `emitDecoratorMetadata`; the application's decorators need `experimentalDecorators`, as Nest does.
 */
export type {
  ExternalGuardOptions,
  GuardOptions,
  HttpAuthOptions,
  ProtectOptions,
} from '../../http/http-auth.js';
export { AuthContext, OptionalAuthContext } from './auth-context.js';
export {
  OptionalAccess,
  Public,
  RequireAccess,
  RequireClaims,
  RequireExternal,
  RequireFresh,
  RequireRefresh,
  RequireRoles,
  RequireScopes,
} from './decorators.js';
export { AuthjwtExceptionFilter } from './exception-filter.js';
export { AuthjwtGlobalGuard, AuthjwtGuard } from './guard.js';
export { AuthjwtModule } from './module.js';
export type { AuthjwtModuleAsyncOptions, AuthjwtModuleOptions } from './options.js';
export { AuthjwtRefusal } from './refusal.js';
export { type AuthenticatedRequest, type NestHttpRequest, nestRequestReader } from './request.js';
export { AuthjwtRoutes, type RouteDecision } from './routes.js';
export { AuthjwtService } from './service.js';
export { AUTHJWT_HTTP, AUTHJWT_OPTIONS } from './tokens.js';
