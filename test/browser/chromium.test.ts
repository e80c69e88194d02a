import { describe, expect, it } from 'vitest';
import { debianChromium, planChromium } from './chromium.js';

/*
 * Issue 13, point 7: the browser tests drive Debian's chromium or the one AUTHJWT_CHROMIUM names; with
 * none, CI fails saying what to install, and a developer's machine skips saying the same.
 */

const only =
  (...present: string[]) =>
  (path: string) =>
    present.includes(path);

describe('which Chromium the browser tests use', () => {
  it("uses Debian's chromium by default, in CI or not", () => {
    for (const env of [{}, { CI: 'true' }]) {
      expect(planChromium(env, only(debianChromium))).toEqual({ executablePath: debianChromium });
    }
  });

  it('uses the one AUTHJWT_CHROMIUM names, before the default', () => {
    const env = { AUTHJWT_CHROMIUM: '/opt/chrome/chrome' };
    expect(planChromium(env, only(debianChromium, '/opt/chrome/chrome'))).toEqual({
      executablePath: '/opt/chrome/chrome',
    });
  });

  it('fails when AUTHJWT_CHROMIUM names a missing file, in CI or not', () => {
    for (const CI of [undefined, 'true']) {
      expect(() => planChromium({ CI, AUTHJWT_CHROMIUM: '/nowhere/chrome' }, only(debianChromium))).toThrow(
        'AUTHJWT_CHROMIUM=/nowhere/chrome: no such file',
      );
    }
  });

  it.each(['true', '1'])('fails with what to install when there is none and CI=%s', (CI) => {
    expect(() => planChromium({ CI }, only())).toThrow(
      /^no Chromium for the browser tests: \/usr\/bin\/chromium is missing and AUTHJWT_CHROMIUM is not set, and CI is set: .*apt-get install chromium.*AUTHJWT_CHROMIUM=\/path\/to\/chrome/,
    );
  });

  it.each([undefined, '', 'false', '0'])(
    'skips, saying what to install, when there is none and CI=%s',
    (CI) => {
      const plan = planChromium({ CI, AUTHJWT_CHROMIUM: '' }, only());
      expect(plan).toEqual({ skip: expect.stringContaining('SKIPPED: no Chromium for the browser tests') });
      expect('skip' in plan && plan.skip).toMatch(/apt-get install chromium.*AUTHJWT_CHROMIUM=/);
    },
  );
});
