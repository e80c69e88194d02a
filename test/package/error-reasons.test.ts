import { AuthError, type AuthErrorReason } from 'authjwt';
import { describe, expect, expectTypeOf, it } from 'vitest';

/*
 * Issue 13, point 5: `reason` is typed (a fixed vocabulary for logs and metrics), so a typo in the
 * library or in an application's own refusal fails to compile instead of logging a new word.
 */

describe('AuthError reason', () => {
  it('is one word of a fixed vocabulary, checked by the compiler', () => {
    expectTypeOf<AuthError['reason']>().toEqualTypeOf<AuthErrorReason | undefined>();
    // @ts-expect-error: not a reason the library knows
    const madeUp = new AuthError('token_invalid', { reason: 'signatur' });
    expect(madeUp.code).toBe('token_invalid');
    expect(new AuthError('token_invalid', { reason: 'signature' }).reason).toBe('signature');
  });
});
