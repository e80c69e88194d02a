import { decodeSegment, type LibraryCases } from './fixture.js';
import type { LibrarySetup } from './peers.js';

const claimNames = ['sub', 'iat', 'exp', 'jti', 'type', 'sid'];

/**
 * Before timing anything: each verifier accepts authjwt's token and refuses it with one signature
 * character changed; each signer writes exactly authjwt's header and claim names, and authjwt
 * accepts what it signs. So every row does the same job.
 */
export async function checkEquivalent(
  libraryId: string,
  lib: LibraryCases,
  setup: LibrarySetup,
  tokens: readonly string[],
): Promise<void> {
  const where = `${setup.km.alg} ${libraryId}`;
  const token = tokens[0] as string;
  const claims = (await lib.verify(token)) as Record<string, unknown> | undefined;
  if (claims?.sub !== decodeSegment(token, 1).sub)
    throw new Error(`${where}: verify did not return the claims`);
  if (!(await refuses(lib, tamperedSignature(token)))) {
    throw new Error(`${where}: verify accepted a tampered signature`);
  }

  const signed = await lib.sign();
  if (JSON.stringify(decodeSegment(signed, 0)) !== JSON.stringify(setup.header)) {
    throw new Error(`${where}: header ${JSON.stringify(decodeSegment(signed, 0))} is not authjwt's`);
  }
  const names = Object.keys(decodeSegment(signed, 1));
  if (names.join() !== claimNames.join())
    throw new Error(`${where}: claims ${names.join()} are not authjwt's`);
  setup.service.verifyAccessToken(signed);
}

/** The token with the first character of its signature changed. */
export function tamperedSignature(token: string): string {
  const lastDot = token.lastIndexOf('.');
  return `${token.slice(0, lastDot + 1)}${token[lastDot + 1] === 'A' ? 'B' : 'A'}${token.slice(lastDot + 2)}`;
}

/** Whether `lib.verify` refuses the token (throws or rejects). */
export async function refuses(lib: LibraryCases, token: string): Promise<boolean> {
  try {
    await lib.verify(token);
    return false;
  } catch {
    return true;
  }
}
