import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUserAgent, encodeUserAgent } from '../../src/stores/redis/user-agent-codec.js';

const browsers = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
];

describe('user agent codec (Redis session records)', () => {
  it('round-trips real browsers exactly, in well under half the bytes', () => {
    for (const userAgent of browsers) {
      const encoded = encodeUserAgent(userAgent);
      expect(decodeUserAgent(encoded)).toBe(userAgent);
      expect(encoded.length).toBeLessThan(userAgent.length / 2);
    }
  });

  it('round-trips any string, control characters included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (userAgent) => {
        expect(decodeUserAgent(encodeUserAgent(userAgent))).toBe(userAgent);
      }),
      { numRuns: 2000 },
    );
  });
});
