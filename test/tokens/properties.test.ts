/**
 * Property tests (fast-check): whatever arrives where a token is expected, and however a genuine
 * token is mangled, verification refuses it with an AuthError and never throws anything else; and
 * what we sign, we verify, claims intact, for random subjects and custom claims.
 */
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../src/errors.js';
import { type Algorithm, algorithms } from '../../src/tokens/algorithms.js';
import { reservedClaimNames } from '../../src/tokens/claims.js';
import type { KeyInput } from '../../src/tokens/keys.js';
import { createTokenService, type TokenService } from '../../src/tokens/token-service.js';
import { fixedClock, fixedNowSeconds } from './helpers.js';

const base64urlAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Characters a token is made of, and the ones lenient decoders skip or confuse with them. */
const tokenChar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...base64urlAlphabet) },
  { weight: 2, arbitrary: fc.constantFrom('.', '=', '+', '/', ' ', '\n', '\t', '\0', 'é', '\u2028') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

const services = new Map<Algorithm, TokenService>();

beforeAll(() => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFor: Record<Algorithm, KeyInput['key']> = {
    HS256: randomBytes(32),
    HS384: randomBytes(48),
    HS512: randomBytes(64),
    RS256: rsa.privateKey,
    RS384: rsa.privateKey,
    RS512: rsa.privateKey,
    PS256: rsa.privateKey,
    PS384: rsa.privateKey,
    PS512: rsa.privateKey,
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey,
    ES512: generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey,
    EdDSA: generateKeyPairSync('ed25519').privateKey,
  };
  for (const [alg, key] of Object.entries(keyFor) as [Algorithm, KeyInput['key']][]) {
    services.set(
      alg,
      createTokenService({ signingKey: { alg, key }, issuer: 'iss', audience: 'aud', clock: fixedClock }),
    );
  }
});

function service(alg: Algorithm): TokenService {
  const found = services.get(alg);
  if (found === undefined) throw new Error(alg);
  return found;
}

/** Verification refuses with an AuthError; success or any other exception fails the property. */
function refusedWithAuthError(verify: () => unknown): void {
  try {
    verify();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return;
  }
  throw new Error('the input was accepted');
}

describe('arbitrary input is refused with an AuthError', () => {
  it('any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 400 }),
          fc.string({ unit: tokenChar, maxLength: 400 }),
        ),
        (input) => {
          refusedWithAuthError(() => service('HS256').verifyAccessToken(input));
          refusedWithAuthError(() => service('ES256').verifyRefreshToken(input));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('any three dot-separated base64url segments, including JSON headers naming our alg and kid', () => {
    const segment = fc.oneof(
      fc.string({ unit: fc.constantFrom(...base64urlAlphabet), maxLength: 120 }),
      fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? '').toString('base64url')),
      fc
        .record({
          alg: fc.constantFrom('HS256', 'none', 'RS256', 'EdDSA'),
          typ: fc.constantFrom('at+jwt', 'JWT'),
          extra: fc.jsonValue(),
        })
        .map((header) => Buffer.from(JSON.stringify(header)).toString('base64url')),
    );
    fc.assert(
      fc.property(segment, segment, segment, (header, payload, signature) => {
        const token = `${header}.${payload}.${signature}`;
        for (const alg of ['HS256', 'RS256', 'EdDSA'] as const) {
          refusedWithAuthError(() => service(alg).verifyAccessToken(token));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('any JavaScript value at all', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        refusedWithAuthError(() => service('HS256').verifyAccessToken(input));
      }),
      { numRuns: 500 },
    );
  });
});

type Mutation =
  | { kind: 'replace'; at: number; char: string }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'case'; at: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'duplicate'; segment: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: tokenChar }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.string({ unit: tokenChar, minLength: 1, maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('case' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('swap' as const),
    a: fc.integer({ min: 0, max: 2 }),
    b: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({ kind: fc.constant('duplicate' as const), segment: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(token: string, change: Mutation): string {
  const at = 'at' in change ? change.at % (token.length + 1) : 0;
  switch (change.kind) {
    case 'replace':
      return token.slice(0, at) + change.char + token.slice(at + 1);
    case 'insert':
      return token.slice(0, at) + change.text + token.slice(at);
    case 'delete':
      return token.slice(0, at) + token.slice(at + change.count);
    case 'flip': {
      const code = token.charCodeAt(at % token.length) ^ (1 << change.bit);
      return (
        token.slice(0, at % token.length) + String.fromCharCode(code) + token.slice((at % token.length) + 1)
      );
    }
    case 'case': {
      const char = token.charAt(at % token.length);
      const other = char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase();
      return token.slice(0, at % token.length) + other + token.slice((at % token.length) + 1);
    }
    case 'swap': {
      const parts = token.split('.');
      const first = parts[change.a] ?? '';
      parts[change.a] = parts[change.b] ?? '';
      parts[change.b] = first;
      return parts.join('.');
    }
    case 'duplicate': {
      const parts = token.split('.');
      parts.splice(change.segment, 0, parts[change.segment] ?? '');
      return parts.join('.');
    }
    case 'truncate':
      return token.slice(0, at);
  }
}

const algorithmsUnderMutation: Algorithm[] = ['HS256', 'HS512', 'RS256', 'PS256', 'ES256', 'ES512', 'EdDSA'];

describe('UTF-8 in a signed payload', () => {
  it('any bytes in a claim verify exactly when they are valid UTF-8 (a fatal TextDecoder as oracle)', () => {
    const oracle = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const secret = randomBytes(32);
    const hs = createTokenService({ signingKey: { alg: 'HS256', key: secret }, clock: fixedClock });
    const [header, genuine] = hs.signAccessToken({ subject: 'user-1' }).token.split('.') as [string, string];
    const claimsJson = Buffer.from(genuine, 'base64url').toString('utf8');
    // Runs of bytes near the edges of UTF-8: ASCII, any byte above it (continuations, leads, never
    // valid alone), and whole valid sequences, U+FFFD's own among them.
    const run = fc.oneof(
      fc
        .integer({ min: 0x20, max: 0x7e })
        .filter((value) => value !== 0x22 && value !== 0x5c)
        .map((b) => [b]),
      fc.integer({ min: 0x80, max: 0xff }).map((b) => [b]),
      fc.constantFrom([0xef, 0xbf, 0xbd], [0xc3, 0xa9], [0xf0, 0x9f, 0x94, 0x91]),
    );
    fc.assert(
      fc.property(fc.array(run, { maxLength: 8 }), (runs) => {
        const bytes = runs.flat();
        const payload = Buffer.concat([
          Buffer.from(claimsJson.replace(/}$/, ',"name":"')),
          Buffer.from(bytes),
          Buffer.from('"}'),
        ]).toString('base64url');
        const input = `${header}.${payload}`;
        const mac = createHmac('sha256', secret).update(input).digest('base64url');
        let valid = true;
        try {
          oracle.decode(Buffer.from(bytes));
        } catch {
          valid = false;
        }
        const verify = () => hs.verifyAccessToken(`${input}.${mac}`);
        if (valid) expect(verify().name).toBe(oracle.decode(Buffer.from(bytes)));
        else refusedWithAuthError(verify);
      }),
    );
  });
});

describe('any mutation of a genuine token is refused with an AuthError', () => {
  it.each(algorithmsUnderMutation)(
    '%s: byte flips, replacements, insertions, deletions, case changes, segment swaps',
    (alg) => {
      const signer = service(alg);
      const access = signer.signAccessToken({
        subject: 'user-1',
        sessionId: 'session-1',
        claims: { roles: ['admin'] },
      }).token;
      const refresh = signer.signRefreshToken({ subject: 'user-1', sessionId: 'session-1' }).token;
      expect(signer.verifyAccessToken(access).sub).toBe('user-1');
      fc.assert(
        fc.property(
          fc.boolean(),
          fc.array(mutation, { minLength: 1, maxLength: 3 }),
          (useAccess, changes) => {
            const original = useAccess ? access : refresh;
            const mutated = changes.reduce(mutate, original);
            // Canonical base64url makes every other spelling different bytes, so only the original verifies.
            fc.pre(mutated !== original);
            refusedWithAuthError(() => signer.verifyAccessToken(mutated));
            refusedWithAuthError(() => signer.verifyRefreshToken(mutated));
          },
        ),
        { numRuns: alg.startsWith('HS') ? 1500 : 400 },
      );
    },
  );

  it('a token of one service is refused by every service with another key', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...algorithmsUnderMutation),
        fc.constantFrom(...algorithmsUnderMutation),
        (from, to) => {
          fc.pre(from !== to);
          const { token } = service(from).signAccessToken({ subject: 'user-1' });
          refusedWithAuthError(() => service(to).verifyAccessToken(token));
        },
      ),
      { numRuns: 100 },
    );
  });
});

const claimName = fc.string({ minLength: 1, maxLength: 12 }).filter((name) => !reservedClaimNames.has(name));
/** What a JSON round trip makes of a value (-0 becomes 0): the claims a verifier can give back. */
const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('sign then verify round-trips', () => {
  it.each(algorithms)('%s: random subjects, sessions and custom claims come back unchanged', (alg) => {
    const signer = service(alg);
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
        fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }),
        fc.dictionary(claimName, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
        fc.boolean(),
        (subject, sessionId, custom, refresh) => {
          const input = { subject, claims: custom, ...(sessionId === undefined ? {} : { sessionId }) };
          const issued = refresh ? signer.signRefreshToken(input) : signer.signAccessToken(input);
          const verified = refresh
            ? signer.verifyRefreshToken(issued.token)
            : signer.verifyAccessToken(issued.token);
          expect(verified).toEqual(viaJson(issued.claims));
          expect(verified.sub).toBe(subject);
          expect(verified.sid).toBe(sessionId);
          for (const [name, value] of Object.entries(custom)) expect(verified[name]).toEqual(viaJson(value));
          expect(verified.type).toBe(refresh ? 'refresh' : 'access');
          expect(verified.iat).toBe(fixedNowSeconds);
        },
      ),
      { numRuns: alg.startsWith('RS') || alg.startsWith('PS') ? 30 : 100 },
    );
  });

  it('a token verifies exactly while elapsed time is under its ttl (and under ttl + leeway)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 86_400 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 200_000 }),
        (ttl, leeway, elapsed) => {
          let nowMs = fixedNowSeconds * 1000;
          const clocked = createTokenService({
            signingKey: { alg: 'HS256', key: randomBytes(32) },
            leeway,
            clock: () => nowMs,
          });
          const { token } = clocked.signAccessToken({ subject: 'user-1', ttl });
          nowMs += elapsed * 1000;
          if (elapsed < ttl + leeway) {
            expect(clocked.verifyAccessToken(token).exp).toBe(fixedNowSeconds + ttl);
          } else {
            expect(() => clocked.verifyAccessToken(token)).toThrow(
              expect.objectContaining({ code: 'token_expired' }),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
