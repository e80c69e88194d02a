import { AuthError, isAuthError } from 'authjwt';
import { describe, expect, it } from 'vitest';

/*
 * Issue 13, point 5: errors recognisable across two copies of the package, where `instanceof` fails.
 */

describe('isAuthError across two copies of the package', () => {
  it('recognises an AuthError of another copy, and another copy recognises ours', async () => {
    // A second instance of the module, as a second copy of the package would load it.
    const second = '../../src/errors.ts?second-copy';
    const copy = (await import(/* @vite-ignore */ second)) as typeof import('../../src/errors.js');
    const theirs = new copy.AuthError('token_invalid');
    expect(theirs instanceof AuthError).toBe(false);
    expect(isAuthError(theirs)).toBe(true);
    expect(copy.isAuthError(new AuthError('store_unavailable'))).toBe(true);
  });

  it('does not take a plain object or another error for one', () => {
    expect(isAuthError({ code: 'token_invalid', statusCode: 401 })).toBe(false);
    expect(isAuthError(new Error('token_invalid'))).toBe(false);
    expect(isAuthError(null)).toBe(false);
  });
});
