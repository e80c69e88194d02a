/**
 * Known attacks on JWT verifiers, each forged against a real service and asserted refused with a
 * stable code and reason. Every forged token starts from one that verifies (see the first test), so
 * each refusal is caused by the one thing the test changes.
 */
import {
  createHmac,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { algorithmSpecs, signBytes } from '../../src/tokens/algorithms.js';
import { createTokenService, type TokenService } from '../../src/tokens/token-service.js';
import { b64u, compact, fixedClock, fixedNowSeconds as now, refusal } from './helpers.js';

const issuer = 'https://auth.example';
const audience = 'api.example';
const secret = randomBytes(32);
const hmacKey = createSecretKey(secret);
const hmac = (input: string) => signBytes(algorithmSpecs.HS256, hmacKey, input);

const hs = createTokenService({
  signingKey: { alg: 'HS256', key: secret, kid: 'hs-1' },
  issuer,
  audience,
  clock: fixedClock,
});
const accessHeader = { alg: 'HS256', typ: 'at+jwt', kid: 'hs-1' };
const claims = (overrides: Record<string, unknown> = {}) => ({
  sub: 'user-1',
  iat: now,
  exp: now + 600,
  jti: 'jti-1',
  type: 'access',
  iss: issuer,
  aud: audience,
  ...overrides,
});
/** A token signed with the real HS256 key: header and payload as objects or raw JSON text. */
const sealed = (header: unknown = accessHeader, payload: unknown = claims()) =>
  compact(header, payload, hmac);
const invalid = (reason: string) => ({ code: 'token_invalid', reason });

type EcAlg = 'ES256' | 'ES384' | 'ES512';
const curves: Record<EcAlg, { curve: string; bytes: number; n: string }> = {
  ES256: { curve: 'P-256', bytes: 32, n: 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551' },
  ES384: {
    curve: 'P-384',
    bytes: 48,
    n: 'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
  },
  ES512: {
    curve: 'P-521',
    bytes: 66,
    n: '01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
  },
};
const ecAlgs = Object.keys(curves) as EcAlg[];

let rsa: { publicKey: KeyObject; privateKey: KeyObject };
let rs: TokenService;
const ec = new Map<EcAlg, { publicKey: KeyObject; privateKey: KeyObject; service: TokenService }>();

beforeAll(() => {
  rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  rs = createTokenService({
    signingKey: { alg: 'RS256', key: rsa.privateKey, kid: 'rs-1' },
    clock: fixedClock,
  });
  for (const alg of ecAlgs) {
    const pair = generateKeyPairSync('ec', { namedCurve: curves[alg].curve });
    const service = createTokenService({
      signingKey: { alg, key: pair.privateKey, kid: `${alg}-1` },
      clock: fixedClock,
    });
    ec.set(alg, { ...pair, service });
  }
});

function ecOf(alg: EcAlg) {
  const found = ec.get(alg);
  if (found === undefined) throw new Error(alg);
  return found;
}

it('the unmodified forged token verifies, so each refusal below comes from the one change it makes', () => {
  expect(hs.verifyAccessToken(sealed())).toMatchObject({ sub: 'user-1', type: 'access' });
});

describe('alg none, in every spelling', () => {
  const spellings: unknown[] = ['none', 'None', 'NONE', 'nOnE', ''];
  const services = () => [hs, rs, ecOf('ES256').service];

  it.each(spellings)('alg %j with an empty signature is refused before the header is trusted', (alg) => {
    for (const service of services()) {
      for (const kid of [undefined, 'hs-1', 'rs-1', 'ES256-1']) {
        const token = compact({ alg, typ: 'at+jwt', kid }, claims());
        expect(refusal(() => service.verifyAccessToken(token))).toEqual(invalid('empty_segment'));
      }
    }
  });

  it.each(spellings)('alg %j with any signature is not the algorithm the key is bound to', (alg) => {
    for (const [service, kid] of [
      [hs, 'hs-1'],
      [rs, 'rs-1'],
      [ecOf('ES256').service, 'ES256-1'],
    ] as const) {
      const header = { alg, typ: 'at+jwt', kid };
      // Even an HMAC made with the real secret over this header does not help.
      for (const token of [compact(header, claims(), () => 'AAAA'), compact(header, claims(), hmac)]) {
        expect(refusal(() => service.verifyAccessToken(token))).toEqual(invalid('alg_mismatch'));
      }
    }
  });

  it('a missing or non-string alg is refused as alg_missing', () => {
    for (const alg of [undefined, null, 0, ['HS256'], { name: 'HS256' }]) {
      const token = sealed({ alg, typ: 'at+jwt', kid: 'hs-1' });
      expect(refusal(() => hs.verifyAccessToken(token))).toEqual(invalid('alg_missing'));
    }
  });

  it('the single-key ring does not fall back to "none" for a token without kid', () => {
    const single = createTokenService({ signingKey: { alg: 'HS256', key: secret }, clock: fixedClock });
    expect(
      refusal(() => single.verifyAccessToken(compact({ alg: 'none', typ: 'at+jwt' }, claims(), () => 'AA'))),
    ).toEqual(invalid('alg_mismatch'));
  });
});

describe('RS/ES public key used as an HMAC secret (algorithm confusion)', () => {
  /** Every way a public key is commonly written down, each with and without a trailing newline. */
  function serializations(publicKey: KeyObject, service: TokenService): Record<string, Buffer> {
    const jwk = publicKey.export({ format: 'jwk' });
    const published = service.jwks().keys[0] ?? {};
    const forms: Record<string, Buffer | string> = {
      'PEM SPKI': publicKey.export({ type: 'spki', format: 'pem' }),
      'DER SPKI': publicKey.export({ type: 'spki', format: 'der' }),
      'JWK JSON': JSON.stringify(jwk),
      'published JWKS entry': JSON.stringify(published),
      'JWKS document': JSON.stringify(service.jwks()),
    };
    if (publicKey.asymmetricKeyType === 'rsa') {
      forms['PKCS#1 PEM'] = publicKey.export({ type: 'pkcs1', format: 'pem' });
      forms['PKCS#1 DER'] = publicKey.export({ type: 'pkcs1', format: 'der' });
      forms['raw n'] = Buffer.from(String(jwk.n), 'base64url');
      forms['n as base64url text'] = String(jwk.n);
    } else {
      const x = Buffer.from(String(jwk.x), 'base64url');
      const y = Buffer.from(String(jwk.y), 'base64url');
      forms['raw x'] = x;
      forms['raw y'] = y;
      forms['raw x||y'] = Buffer.concat([x, y]);
      forms['uncompressed point 04||x||y'] = Buffer.concat([Buffer.from([4]), x, y]);
    }
    const all: Record<string, Buffer> = {};
    for (const [name, form] of Object.entries(forms)) {
      const bytes = Buffer.isBuffer(form) ? form : Buffer.from(form);
      const text = bytes.toString('latin1');
      all[name] = text.endsWith('\n') ? Buffer.from(text.replace(/\n$/, ''), 'latin1') : bytes;
      all[`${name} + newline`] = Buffer.concat([all[name] as Buffer, Buffer.from('\n')]);
    }
    return all;
  }

  const targets = () => [
    { name: 'RS256', service: rs, publicKey: rsa.publicKey, kid: 'rs-1' },
    ...ecAlgs.map((alg) => ({
      name: alg,
      service: ecOf(alg).service,
      publicKey: ecOf(alg).publicKey,
      kid: `${alg}-1`,
    })),
  ];

  it('HS256/384/512 tokens MACed with any serialization of the public key are refused (kid given or not)', () => {
    let forged = 0;
    for (const { service, publicKey, kid } of targets()) {
      for (const [form, bytes] of Object.entries(serializations(publicKey, service))) {
        for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
          for (const header of [
            { alg, typ: 'at+jwt', kid },
            { alg, typ: 'at+jwt' },
          ]) {
            const token = compact(header, claims({ iss: undefined, aud: undefined }), (input) =>
              createHmac(`sha${alg.slice(2)}`, bytes)
                .update(input)
                .digest(),
            );
            expect(
              refusal(() => service.verifyAccessToken(token)),
              form,
            ).toEqual(invalid('alg_mismatch'));
            forged++;
          }
        }
      }
    }
    expect(forged).toBeGreaterThan(100);
  });

  it('a ring that holds an HMAC secret beside the public key still refuses HS tokens naming the public kid', () => {
    const mixed = createTokenService({
      signingKey: { alg: 'HS256', key: secret, kid: 'hs-1' },
      verificationKeys: [{ alg: 'RS256', key: rsa.publicKey, kid: 'rs-1' }],
      clock: fixedClock,
    });
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' });
    const token = compact(
      { alg: 'HS256', typ: 'at+jwt', kid: 'rs-1' },
      claims({ iss: undefined, aud: undefined }),
      (input) => createHmac('sha256', pem).update(input).digest(),
    );
    expect(refusal(() => mixed.verifyAccessToken(token))).toEqual(invalid('alg_mismatch'));
  });

  it('configuring a PEM or JWK public key as an HMAC secret is refused at construction', () => {
    for (const { service, publicKey } of targets()) {
      const forms = serializations(publicKey, service);
      for (const name of [
        'PEM SPKI',
        'PEM SPKI + newline',
        'JWK JSON',
        'JWK JSON + newline',
        'published JWKS entry',
      ]) {
        const bytes = forms[name] as Buffer;
        for (const key of [bytes, bytes.toString('latin1')]) {
          expect(() => createTokenService({ signingKey: { alg: 'HS256', key } }), name).toThrow(
            'an HMAC secret must be random bytes, not a PEM or JWK key',
          );
        }
      }
    }
    // A public KeyObject is no secret either.
    expect(() => createTokenService({ signingKey: { alg: 'HS256', key: rsa.publicKey } })).toThrow(
      'HS256 needs a secret, not a public key',
    );
  });
});

describe('headers that point at other keys are never followed', () => {
  let attacker: { publicKey: KeyObject; privateKey: KeyObject };
  const network: ReturnType<typeof vi.spyOn>[] = [];

  beforeAll(() => {
    attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  });

  afterEach(() => {
    for (const spy of network.splice(0)) spy.mockRestore();
    syncBuiltinESMExports();
  });

  /** Spies on every way a request could leave the process, down to the socket. */
  function watchNetwork(): void {
    network.push(
      vi.spyOn(globalThis, 'fetch'),
      vi.spyOn(http, 'request'),
      vi.spyOn(http, 'get'),
      vi.spyOn(https, 'request'),
      vi.spyOn(https, 'get'),
      vi.spyOn(net, 'connect'),
      vi.spyOn(net, 'createConnection'),
      vi.spyOn(net.Socket.prototype, 'connect'),
      vi.spyOn(tls, 'connect'),
      vi.spyOn(dns, 'lookup'),
    );
    // Keep `import { request } from 'node:http'` style bindings in step with the spied objects.
    syncBuiltinESMExports();
  }

  const attackerSigned = (header: Record<string, unknown>) =>
    compact(header, claims({ iss: undefined, aud: undefined }), (input) =>
      sign('sha256', Buffer.from(input), { key: attacker.privateKey, dsaEncoding: 'ieee-p1363' }),
    );

  it('an embedded jwk with the attacker key is ignored: the ring key decides, so the signature fails', () => {
    const jwk = attacker.publicKey.export({ format: 'jwk' });
    const service = ecOf('ES256').service;
    for (const header of [
      { alg: 'ES256', typ: 'at+jwt', kid: 'ES256-1', jwk },
      { alg: 'ES256', typ: 'at+jwt', jwk },
      { alg: 'ES256', typ: 'at+jwt', kid: 'ES256-1', jwk: { ...jwk, kid: 'ES256-1' } },
    ]) {
      expect(refusal(() => service.verifyAccessToken(attackerSigned(header)))).toEqual(invalid('signature'));
    }
    // Naming the attacker key by its own kid only finds nothing.
    const attackerKid = 'attacker-thumbprint';
    expect(
      refusal(() =>
        service.verifyAccessToken(attackerSigned({ alg: 'ES256', typ: 'at+jwt', kid: attackerKid, jwk })),
      ),
    ).toEqual(invalid('kid_unknown'));
  });

  it('jku, x5u, x5c and x5t make no request leave the process and do not change the key', () => {
    watchNetwork();
    const service = ecOf('ES256').service;
    const pointers = {
      jku: 'https://attacker.example/jwks.json',
      x5u: 'https://attacker.example/cert.pem',
      x5c: ['MIIBszCCAVmgAwIBAgIU'],
      x5t: 'AAAA',
      'x5t#S256': 'AAAA',
    };
    expect(
      refusal(() =>
        service.verifyAccessToken(
          attackerSigned({ alg: 'ES256', typ: 'at+jwt', kid: 'ES256-1', ...pointers }),
        ),
      ),
    ).toEqual(invalid('signature'));
    // A genuine token carrying the same pointers verifies with the ring key and still fetches nothing.
    const key = ecOf('ES256').privateKey;
    const genuine = compact(
      { alg: 'ES256', typ: 'at+jwt', kid: 'ES256-1', ...pointers },
      claims({ iss: undefined, aud: undefined }),
      (input) => sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }),
    );
    expect(service.verifyAccessToken(genuine).sub).toBe('user-1');
    for (const spy of network) expect(spy).not.toHaveBeenCalled();
  });
});

describe('kid injection', () => {
  const strings = [
    '../../../../../../dev/null',
    '/etc/passwd',
    '..\\..\\windows\\win.ini',
    "' OR '1'='1",
    '1; DROP TABLE keys; --',
    '$(curl attacker.example)',
    '__proto__',
    'constructor',
    'hasOwnProperty',
    'hs-1\u0000',
    'HS-1',
    ' hs-1',
    '',
    'k'.repeat(5000),
  ];

  it.each(
    strings.map((kid) => [
      kid.length > 40 ? `${kid.slice(0, 12)}... (${kid.length} chars)` : JSON.stringify(kid),
      kid,
    ]),
  )('kid %s is looked up as an opaque string and not found', (_name, kid) => {
    expect(refusal(() => hs.verifyAccessToken(sealed({ ...accessHeader, kid })))).toEqual(
      invalid('kid_unknown'),
    );
  });

  it('a non-string kid (number, null, array, object, boolean) is refused as kid_type', () => {
    for (const kid of [1, null, ['hs-1'], { $ne: null }, true]) {
      expect(refusal(() => hs.verifyAccessToken(sealed({ ...accessHeader, kid })))).toEqual(
        invalid('kid_type'),
      );
    }
  });

  it('an unknown kid is refused even when the ring holds one key (no fallback to the only key)', () => {
    const single = createTokenService({ signingKey: { alg: 'HS256', key: secret }, clock: fixedClock });
    const token = compact(
      { alg: 'HS256', typ: 'at+jwt', kid: 'someone-else' },
      claims({ iss: undefined, aud: undefined }),
      hmac,
    );
    expect(refusal(() => single.verifyAccessToken(token))).toEqual(invalid('kid_unknown'));
  });

  it('a kid long enough to exceed the token cap is refused for its length before parsing', () => {
    expect(refusal(() => hs.verifyAccessToken(sealed({ ...accessHeader, kid: 'k'.repeat(9000) })))).toEqual(
      invalid('too_long'),
    );
  });
});

describe('signature tampering', () => {
  const [header, payload, signature] = sealed().split('.') as [string, string, string];

  it('an empty signature (token ending in ".") is refused', () => {
    expect(refusal(() => hs.verifyAccessToken(`${header}.${payload}.`))).toEqual(invalid('empty_segment'));
  });

  it('a "null" signature (all zero bytes of the right length, or the text null) is refused', () => {
    for (const forged of [Buffer.alloc(32).toString('base64url'), b64u('null'), 'AA']) {
      expect(refusal(() => hs.verifyAccessToken(`${header}.${payload}.${forged}`))).toEqual(
        invalid('signature'),
      );
    }
  });

  it('a truncated signature is refused, by one byte or one character', () => {
    const bytes = Buffer.from(signature, 'base64url');
    for (const forged of [
      bytes.subarray(0, 31).toString('base64url'),
      bytes.subarray(0, 16).toString('base64url'),
    ]) {
      expect(refusal(() => hs.verifyAccessToken(`${header}.${payload}.${forged}`))).toEqual(
        invalid('signature'),
      );
    }
    // 42 characters cannot encode whole bytes with zero spare bits here: refused as bad base64url.
    expect(refusal(() => hs.verifyAccessToken(`${header}.${payload}.${signature.slice(0, -1)}`)).code).toBe(
      'token_invalid',
    );
  });

  it('a signature with extra bytes appended is refused', () => {
    const longer = Buffer.concat([Buffer.from(signature, 'base64url'), Buffer.alloc(1)]).toString(
      'base64url',
    );
    expect(refusal(() => hs.verifyAccessToken(`${header}.${payload}.${longer}`))).toEqual(
      invalid('signature'),
    );
  });

  it('a signature from another token of the same key is refused', () => {
    const other = sealed(accessHeader, claims({ sub: 'user-2' })).split('.')[2];
    expect(refusal(() => hs.verifyAccessToken(`${header}.${payload}.${other}`))).toEqual(
      invalid('signature'),
    );
  });

  it('a header the verifier has cached does not make a bad signature good', () => {
    expect(hs.verifyAccessToken(`${header}.${payload}.${signature}`).sub).toBe('user-1');
    const flipped = Buffer.from(signature, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(
      refusal(() => hs.verifyAccessToken(`${header}.${payload}.${flipped.toString('base64url')}`)),
    ).toEqual(invalid('signature'));
  });
});

describe('ECDSA-specific forgeries', () => {
  const ecToken = (alg: EcAlg, signature: Buffer) =>
    compact(
      { alg, typ: 'at+jwt', kid: `${alg}-1` },
      claims({ iss: undefined, aud: undefined }),
      () => signature,
    );

  it.each(ecAlgs)('%s: psychic signatures r = s = 0 and r = s = n are refused', (alg) => {
    const { bytes, n } = curves[alg];
    const order = Buffer.from(n.padStart(bytes * 2, '0'), 'hex');
    const service = ecOf(alg).service;
    for (const forged of [
      Buffer.alloc(2 * bytes),
      Buffer.concat([order, order]),
      Buffer.concat([Buffer.alloc(bytes), order]),
    ]) {
      expect(forged).toHaveLength(2 * bytes);
      expect(refusal(() => service.verifyAccessToken(ecToken(alg, forged)))).toEqual(invalid('signature'));
    }
  });

  it.each(ecAlgs)(
    '%s: a DER-encoded signature is refused, while the same signature in P1363 form verifies',
    (alg) => {
      const { privateKey, service } = ecOf(alg);
      const hash = algorithmSpecs[alg].hash as string;
      const header = { alg, typ: 'at+jwt', kid: `${alg}-1` };
      const payload = claims({ iss: undefined, aud: undefined });
      const input = `${b64u(header)}.${b64u(payload)}`;
      const der = sign(hash, Buffer.from(input), { key: privateKey, dsaEncoding: 'der' });
      expect(refusal(() => service.verifyAccessToken(`${input}.${der.toString('base64url')}`))).toEqual(
        invalid('signature'),
      );
      const p1363 = derToP1363(der, curves[alg].bytes);
      expect(service.verifyAccessToken(`${input}.${p1363.toString('base64url')}`).sub).toBe('user-1');
    },
  );

  it('an ES256 signature is refused by the ES384 and ES512 services (lengths and curves are pinned)', () => {
    const token = ecOf('ES256').service.signAccessToken({ subject: 'user-1' }).token;
    for (const alg of ['ES384', 'ES512'] as const) {
      expect(refusal(() => ecOf(alg).service.verifyAccessToken(token))).toEqual(invalid('kid_unknown'));
      const [, payload, signature] = token.split('.');
      const renamed = `${b64u({ alg, typ: 'at+jwt', kid: `${alg}-1` })}.${payload}.${signature}`;
      expect(refusal(() => ecOf(alg).service.verifyAccessToken(renamed))).toEqual(invalid('signature'));
    }
  });
});

/** Converts a DER ECDSA signature to fixed-length r || s. */
function derToP1363(der: Buffer, size: number): Buffer {
  let offset = 2;
  if ((der[1] ?? 0) & 0x80) offset += (der[1] ?? 0) & 0x7f;
  const integers: Buffer[] = [];
  for (let i = 0; i < 2; i++) {
    const length = der[offset + 1] ?? 0;
    let value = der.subarray(offset + 2, offset + 2 + length);
    while (value.length > size && value[0] === 0) value = value.subarray(1);
    integers.push(Buffer.concat([Buffer.alloc(size - value.length), value]));
    offset += 2 + length;
  }
  return Buffer.concat(integers);
}

describe('time claims and leeway boundaries', () => {
  const lenient = createTokenService({
    signingKey: { alg: 'HS256', key: secret, kid: 'hs-1' },
    issuer,
    audience,
    leeway: 30,
    clock: fixedClock,
  });
  const verify = (service: TokenService, overrides: Record<string, unknown>) => () =>
    service.verifyAccessToken(sealed(accessHeader, claims(overrides)));

  it('exp is exclusive: accepted one second before, expired on it and after', () => {
    expect(verify(hs, { exp: now + 1 })()).toMatchObject({ exp: now + 1 });
    expect(refusal(verify(hs, { exp: now }))).toEqual({ code: 'token_expired', reason: undefined });
    expect(refusal(verify(hs, { exp: now - 3600 })).code).toBe('token_expired');
  });

  it('leeway 30 s extends exp by exactly 30 s', () => {
    expect(verify(lenient, { exp: now - 29 })()).toMatchObject({ exp: now - 29 });
    expect(refusal(verify(lenient, { exp: now - 30 })).code).toBe('token_expired');
  });

  it('nbf: valid from that second on; leeway lets it start up to 30 s early', () => {
    expect(verify(hs, { nbf: now })()).toMatchObject({ nbf: now });
    expect(refusal(verify(hs, { nbf: now + 1 }))).toEqual({ code: 'token_not_yet_valid', reason: undefined });
    expect(verify(lenient, { nbf: now + 30 })()).toMatchObject({ nbf: now + 30 });
    expect(refusal(verify(lenient, { nbf: now + 31 })).code).toBe('token_not_yet_valid');
  });

  it('iat in the future (beyond leeway) is not yet valid', () => {
    expect(refusal(verify(hs, { iat: now + 1 }))).toEqual({ code: 'token_not_yet_valid', reason: 'iat' });
    expect(verify(lenient, { iat: now + 30 })()).toMatchObject({ iat: now + 30 });
    expect(refusal(verify(lenient, { iat: now + 31 }))).toEqual({
      code: 'token_not_yet_valid',
      reason: 'iat',
    });
  });

  it('exp, nbf and iat must be finite non-negative numbers; exp is required', () => {
    for (const exp of [undefined, null, '9999999999', -1, [now + 60], true]) {
      expect(refusal(verify(hs, { exp }))).toEqual(invalid('exp'));
    }
    expect(refusal(verify(hs, { nbf: 'now' }))).toEqual(invalid('nbf'));
    expect(refusal(verify(hs, { iat: -5 }))).toEqual(invalid('iat'));
    // 1e400 parses to Infinity: not a NumericDate.
    const raw = JSON.stringify(claims()).replace(`"exp":${now + 600}`, '"exp":1e400');
    expect(refusal(() => hs.verifyAccessToken(sealed(accessHeader, raw)))).toEqual(invalid('exp'));
  });

  it('shape is checked before time: a malformed sub is token_invalid even when expired', () => {
    expect(refusal(verify(hs, { sub: '', exp: now - 100 }))).toEqual(invalid('sub'));
    expect(refusal(verify(hs, { sub: 42 }))).toEqual(invalid('sub'));
    expect(refusal(verify(hs, { jti: 7 }))).toEqual(invalid('jti'));
    expect(refusal(verify(hs, { sid: {} }))).toEqual(invalid('sid'));
    expect(refusal(verify(hs, { fresh: 'yes' }))).toEqual(invalid('fresh'));
  });
});

describe('issuer and audience', () => {
  const verify = (service: TokenService, overrides: Record<string, unknown>) => () =>
    service.verifyAccessToken(sealed(accessHeader, claims(overrides)));

  it('a wrong, missing or non-string iss is refused', () => {
    for (const iss of ['https://evil.example', undefined, '', ['https://auth.example'], 1]) {
      expect(refusal(verify(hs, { iss }))).toEqual(invalid('iss'));
    }
  });

  it('a wrong, missing or malformed aud is refused; an aud array needs one accepted entry and only strings', () => {
    for (const aud of [
      'other.example',
      undefined,
      [],
      ['other.example'],
      [audience, 7],
      { aud: audience },
      null,
    ]) {
      expect(refusal(verify(hs, { aud })), JSON.stringify(aud)).toEqual(invalid('aud'));
    }
    expect(verify(hs, { aud: ['other.example', audience] })()).toMatchObject({
      aud: ['other.example', audience],
    });
  });

  it('several configured issuers and audiences each accept, and nothing else does', () => {
    const multi = createTokenService({
      signingKey: { alg: 'HS256', key: secret, kid: 'hs-1' },
      issuer: [issuer, 'https://old-auth.example'],
      audience: [audience, 'admin.example'],
      clock: fixedClock,
    });
    expect(verify(multi, { iss: 'https://old-auth.example', aud: 'admin.example' })()).toBeTruthy();
    expect(refusal(verify(multi, { iss: 'https://third.example' }))).toEqual(invalid('iss'));
    expect(refusal(verify(multi, { aud: 'third.example' }))).toEqual(invalid('aud'));
  });
});

describe('token type confusion', () => {
  const issued = () => ({
    access: hs.signAccessToken({ subject: 'user-1', sessionId: 's-1' }).token,
    refresh: hs.signRefreshToken({ subject: 'user-1', sessionId: 's-1' }).token,
  });

  it('a refresh token is refused where an access token is expected, and the reverse', () => {
    const { access, refresh } = issued();
    expect(refusal(() => hs.verifyAccessToken(refresh))).toEqual({
      code: 'wrong_token_type',
      reason: 'type_claim',
    });
    expect(refusal(() => hs.verifyRefreshToken(access))).toEqual({
      code: 'wrong_token_type',
      reason: 'type_claim',
    });
    expect(hs.verifyAccessToken(access).type).toBe('access');
    expect(hs.verifyRefreshToken(refresh).type).toBe('refresh');
  });

  it('the typ header must agree with the claim: a mismatch either way is refused', () => {
    const refreshHeader = { ...accessHeader, typ: 'rt+jwt' };
    expect(refusal(() => hs.verifyAccessToken(sealed(refreshHeader, claims())))).toEqual({
      code: 'wrong_token_type',
      reason: 'typ_header',
    });
    expect(refusal(() => hs.verifyRefreshToken(sealed(accessHeader, claims({ type: 'refresh' }))))).toEqual({
      code: 'wrong_token_type',
      reason: 'typ_header',
    });
    expect(refusal(() => hs.verifyAccessToken(sealed(accessHeader, claims({ type: 'refresh' }))))).toEqual({
      code: 'wrong_token_type',
      reason: 'type_claim',
    });
  });

  it('a missing or different typ (JWT, AT+JWT, application/at+jwt) or type claim is refused', () => {
    for (const typ of [undefined, 'JWT', 'AT+JWT', 'application/at+jwt', 'at+jwt ']) {
      expect(refusal(() => hs.verifyAccessToken(sealed({ ...accessHeader, typ }, claims())))).toEqual({
        code: 'wrong_token_type',
        reason: 'typ_header',
      });
    }
    for (const type of [undefined, 'Access', 'admin', 1]) {
      expect(refusal(() => hs.verifyAccessToken(sealed(accessHeader, claims({ type }))))).toEqual({
        code: 'wrong_token_type',
        reason: 'type_claim',
      });
    }
    expect(refusal(() => hs.verifyAccessToken(sealed({ ...accessHeader, typ: 7 }, claims())))).toEqual(
      invalid('typ_type'),
    );
  });
});

describe('size and input type', () => {
  it('a token over 8192 characters is refused before parsing or crypto', () => {
    expect(refusal(() => hs.verifyAccessToken('a'.repeat(8193)))).toEqual(invalid('too_long'));
    const big = sealed(accessHeader, claims({ filler: 'x'.repeat(7000) }));
    expect(big.length).toBeGreaterThan(8192);
    expect(refusal(() => hs.verifyAccessToken(big))).toEqual(invalid('too_long'));
  });

  it('maxTokenLength is an inclusive cap', () => {
    const token = sealed();
    const at = (maxTokenLength: number) =>
      createTokenService({
        signingKey: { alg: 'HS256', key: secret, kid: 'hs-1' },
        issuer,
        audience,
        maxTokenLength,
        clock: fixedClock,
      });
    expect(at(token.length).verifyAccessToken(token).sub).toBe('user-1');
    expect(refusal(() => at(token.length - 1).verifyAccessToken(token))).toEqual(invalid('too_long'));
  });

  it('anything but a non-empty string is refused as not_a_string', () => {
    const token = sealed();
    for (const input of [undefined, null, '', 42, {}, [token], Buffer.from(token), new String(token)]) {
      expect(refusal(() => hs.verifyAccessToken(input))).toEqual(invalid('not_a_string'));
    }
  });
});

describe('non-canonical base64url', () => {
  /** A genuine token whose signature segment contains "-" or "_" (so it differs from base64). */
  function tokenWithUrlSafeChars(): string {
    for (let i = 0; i < 200; i++) {
      const token = sealed(accessHeader, claims({ jti: `jti-${i}` }));
      if (/[-_]/.test(token.split('.')[2] ?? '')) return token;
    }
    throw new Error('no token with - or _ in its signature');
  }

  it('standard base64 (+ and /) instead of base64url is refused', () => {
    const [header, payload, signature] = tokenWithUrlSafeChars().split('.') as [string, string, string];
    const standard = Buffer.from(signature, 'base64url').toString('base64').replace(/=+$/, '');
    expect(standard).not.toBe(signature);
    expect(refusal(() => hs.verifyAccessToken(`${header}.${payload}.${standard}`))).toEqual(
      invalid('base64url'),
    );
  });

  it('padding "=" on any segment is refused', () => {
    const [header, payload, signature] = sealed().split('.') as [string, string, string];
    for (const token of [
      `${header}=.${payload}.${signature}`,
      `${header}.${payload}=.${signature}`,
      `${header}.${payload}.${signature}=`,
    ]) {
      expect(
        refusal(() => hs.verifyAccessToken(token)),
        token.slice(-3),
      ).toEqual(invalid('base64url'));
    }
  });

  it('whitespace or a line break anywhere is refused (Node would silently skip it)', () => {
    const token = sealed();
    const middle = token.indexOf('.') + 5;
    for (const forged of [
      `${token}\n`,
      `${token}\r\n`,
      ` ${token}`,
      `${token.slice(0, 10)} ${token.slice(10)}`,
      `${token.slice(0, middle)}\n${token.slice(middle)}`,
      `${token.slice(0, -5)}\t${token.slice(-5)}`,
    ]) {
      expect(refusal(() => hs.verifyAccessToken(forged)).reason).toMatch(/^(base64url|segments)$/);
    }
  });

  it('set trailing bits in the last character are refused although they decode to the same bytes', () => {
    const segments = sealed().split('.');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let tried = 0;
    segments.forEach((segment, index) => {
      if (segment.length % 4 === 0) return; // no spare bits to set
      const last = alphabet.indexOf(segment.slice(-1));
      const respelled = segment.slice(0, -1) + alphabet[last | 1];
      // Node's decoder maps both spellings to the same bytes: only the canonical check tells them apart.
      expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(segment, 'base64url'));
      const forged = segments.map((part, i) => (i === index ? respelled : part)).join('.');
      expect(
        refusal(() => hs.verifyAccessToken(forged)),
        `segment ${index}`,
      ).toEqual(invalid('base64url'));
      tried++;
    });
    expect(tried).toBeGreaterThanOrEqual(2);
  });

  it('a segment whose length is 1 mod 4, or holding non-alphabet or non-ASCII characters, is refused', () => {
    const [header, payload, signature] = sealed().split('.') as [string, string, string];
    for (const forged of [
      `${header}.${payload}A.${signature}`,
      `${header}.${payload}.${signature}*`,
      `${header}.${payload.slice(0, 4)}é${payload.slice(5)}.${signature}`,
      `${header}.${payload}.${signature.slice(0, 5)}\u0100${signature.slice(6)}`,
    ]) {
      expect(refusal(() => hs.verifyAccessToken(forged))).toEqual(invalid('base64url'));
    }
  });
});

describe('segments', () => {
  const token = sealed();
  const [header, payload, signature] = token.split('.') as [string, string, string];

  it('two, four or five segments are refused', () => {
    for (const forged of [
      `${header}.${payload}`,
      `${token}.${signature}`,
      `${token}.`,
      `${header}.${header}.${payload}.${signature}.${signature}`,
      `${header}${payload}${signature}`,
    ]) {
      expect(refusal(() => hs.verifyAccessToken(forged))).toEqual(invalid('segments'));
    }
  });

  it('an empty header or payload segment is refused', () => {
    expect(refusal(() => hs.verifyAccessToken(`.${payload}.${signature}`))).toEqual(invalid('segments'));
    expect(refusal(() => hs.verifyAccessToken(`${header}..${signature}`))).toEqual(invalid('empty_segment'));
  });
});

describe('JSON and encoding of header and payload', () => {
  it('__proto__ in the header or payload is refused and pollutes nothing', () => {
    const rawHeader = '{"alg":"HS256","typ":"at+jwt","kid":"hs-1","__proto__":{"polluted":true}}';
    expect(refusal(() => hs.verifyAccessToken(sealed(rawHeader)))).toEqual(invalid('header_proto'));
    const rawPayload = JSON.stringify(claims()).replace(
      /}$/,
      ',"__proto__":{"polluted":true,"isAdmin":true}}',
    );
    expect(refusal(() => hs.verifyAccessToken(sealed(accessHeader, rawPayload)))).toEqual(
      invalid('payload_proto'),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('a header that is JSON but not an object is refused', () => {
    for (const raw of ['[]', '["HS256"]', '"HS256"', 'null', '42', 'true']) {
      expect(refusal(() => hs.verifyAccessToken(sealed(raw)))).toEqual(invalid('header_not_object'));
    }
    for (const raw of ['{alg:"HS256"}', "{'alg':'HS256'}", '{"alg":"HS256",}', '', '{"alg":"HS256"} x']) {
      const token = raw === '' ? `.${b64u(claims())}.AAAA` : sealed(raw);
      expect(refusal(() => hs.verifyAccessToken(token)).code).toBe('token_invalid');
    }
  });

  it('a signed payload that is an array, null, a string or a number is refused after the signature', () => {
    for (const raw of ['[]', `[${JSON.stringify(claims())}]`, 'null', '"user-1"', '1']) {
      expect(refusal(() => hs.verifyAccessToken(sealed(accessHeader, raw)))).toEqual(
        invalid('payload_not_object'),
      );
    }
    expect(refusal(() => hs.verifyAccessToken(sealed(accessHeader, '{"sub":')))).toEqual(
      invalid('payload_json'),
    );
  });

  it('invalid UTF-8 in the header or a signed payload is refused, not replaced with U+FFFD', () => {
    const broken = [
      Buffer.from([0xc3, 0x28]), // truncated two-byte sequence
      Buffer.from([0xc0, 0xaf]), // overlong "/"
      Buffer.from([0xed, 0xa0, 0x80]), // a UTF-16 surrogate encoded in UTF-8
      Buffer.from([0xff]),
    ];
    for (const bad of broken) {
      const header = Buffer.concat([
        Buffer.from('{"alg":"HS256","typ":"at+jwt","kid":"hs-1","x":"'),
        bad,
        Buffer.from('"}'),
      ]);
      expect(refusal(() => hs.verifyAccessToken(sealed(header)))).toEqual(invalid('header_json'));
      const payload = Buffer.concat([
        Buffer.from(JSON.stringify(claims()).replace(/}$/, ',"name":"')),
        bad,
        Buffer.from('"}'),
      ]);
      expect(refusal(() => hs.verifyAccessToken(sealed(accessHeader, payload)))).toEqual(
        invalid('payload_json'),
      );
    }
  });

  it('a genuine U+FFFD is accepted, and does not let invalid bytes beside it through', () => {
    // The decoder reads lenient UTF-8 and checks strictly only text holding U+FFFD: both paths here.
    const replacement = Buffer.from('\uFFFD', 'utf8');
    const withReplacement = Buffer.from(JSON.stringify(claims({ name: 'a\uFFFDb' })));
    expect(hs.verifyAccessToken(sealed(accessHeader, withReplacement)).name).toBe('a\uFFFDb');
    const payload = Buffer.concat([
      Buffer.from(JSON.stringify(claims()).replace(/}$/, ',"name":"')),
      replacement,
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ]);
    expect(refusal(() => hs.verifyAccessToken(sealed(accessHeader, payload)))).toEqual(
      invalid('payload_json'),
    );
  });

  it('a byte order mark before the JSON is refused', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(
      refusal(() =>
        hs.verifyAccessToken(sealed(Buffer.concat([bom, Buffer.from(JSON.stringify(accessHeader))]))),
      ),
    ).toEqual(invalid('header_json'));
  });

  it('duplicate header members resolve to the lexically last one (RFC 7515 section 4), never the first', () => {
    // Only the key holder can sign such a header; the last alg is what is checked against the key.
    const lastIsNone = '{"alg":"HS256","typ":"at+jwt","kid":"hs-1","alg":"none"}';
    expect(refusal(() => hs.verifyAccessToken(sealed(lastIsNone)))).toEqual(invalid('alg_mismatch'));
  });
});

describe('crit and b64', () => {
  it('any crit header is refused, even an empty or well-known one', () => {
    for (const crit of [['exp'], [], ['b64'], 'b64', ['http://example.invalid/ext']]) {
      expect(refusal(() => hs.verifyAccessToken(sealed({ ...accessHeader, crit, b64: true })))).toEqual(
        invalid('crit_unsupported'),
      );
    }
  });

  it('b64 other than true is refused; b64:true (the default meaning) is accepted', () => {
    for (const b64 of [false, 'false', 0, null]) {
      expect(refusal(() => hs.verifyAccessToken(sealed({ ...accessHeader, b64 })))).toEqual(
        invalid('b64_unsupported'),
      );
    }
    expect(hs.verifyAccessToken(sealed({ ...accessHeader, b64: true })).sub).toBe('user-1');
  });

  it('an RFC 7797 token MACed over the raw payload does not verify as a b64 token', () => {
    const header = { ...accessHeader, b64: false, crit: ['b64'] };
    const raw = JSON.stringify(claims());
    const mac = createHmac('sha256', secret)
      .update(`${b64u(header)}.${raw}`)
      .digest('base64url');
    expect(refusal(() => hs.verifyAccessToken(`${b64u(header)}.${b64u(raw)}.${mac}`))).toEqual(
      invalid('crit_unsupported'),
    );
  });
});
