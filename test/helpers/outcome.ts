import { isAuthError } from 'authjwt';

/** What a call came to: `ok`, an AuthError code, or anything else (which must never happen). */
export async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    return isAuthError(error) ? error.code : `unexpected: ${String(error)}`;
  }
}
