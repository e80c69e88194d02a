import type { AuthContext } from 'authjwt';
import type { AuthGuard, AuthjwtDecorator, GuardOptions, TokenLocation } from 'authjwt/fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';

// Compile-time checks of the module augmentation (tsc runs over tests in `npm test`).
describe('Fastify type augmentation', () => {
  it('types request.auth and fastify.authjwt', () => {
    expectTypeOf<FastifyRequest['auth']>().toEqualTypeOf<AuthContext | null>();
    expectTypeOf<FastifyInstance['authjwt']>().toEqualTypeOf<AuthjwtDecorator>();
    expectTypeOf<AuthjwtDecorator['requireRoles']>().toBeCallableWith('admin', 'staff');
    expectTypeOf<AuthjwtDecorator['requireRoles']>().toBeCallableWith('admin', { from: 'header' });
    expectTypeOf<AuthjwtDecorator['requireAccess']>().parameters.toEqualTypeOf<[options?: GuardOptions]>();
    expectTypeOf<GuardOptions['from']>().toEqualTypeOf<
      TokenLocation | readonly TokenLocation[] | undefined
    >();
    // @ts-expect-error: a location is 'header' or 'cookie'
    const unknownLocation: GuardOptions = { from: 'query' };
    void unknownLocation;
    expectTypeOf<ReturnType<AuthjwtDecorator['requireAccess']>>().toEqualTypeOf<AuthGuard>();
    expectTypeOf<AuthContext['roles']>().toEqualTypeOf<readonly string[]>();
  });
});
