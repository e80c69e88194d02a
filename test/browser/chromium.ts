/**
 * Which Chromium the browser tests drive, as a pure function of the environment (demo.test.ts applies
 * it to this process). Debian's chromium at /usr/bin/chromium unless `AUTHJWT_CHROMIUM` names another
 * (a Chrome or Chromium binary; never a browser playwright downloads). With none: CI fails, since a
 * green run that skipped the browser proves nothing there; a developer's machine skips, saying why.
 */
import { existsSync } from 'node:fs';
import { type Env, isCi } from '../tokens/vectors-plan.js';

export const debianChromium = '/usr/bin/chromium';

/** Run with this executable, or skip with a note for the suite's name. */
export type ChromiumPlan = { readonly executablePath: string } | { readonly skip: string };

const howTo = `apt-get install chromium (Debian's, at ${debianChromium}), or set AUTHJWT_CHROMIUM=/path/to/chrome`;

/** Throws where the tests must not skip: in CI, or when AUTHJWT_CHROMIUM names a missing file. */
export function planChromium(env: Env, exists: (path: string) => boolean = existsSync): ChromiumPlan {
  const chosen = env.AUTHJWT_CHROMIUM;
  if (chosen !== undefined && chosen !== '') {
    if (exists(chosen)) return { executablePath: chosen };
    throw new Error(`AUTHJWT_CHROMIUM=${chosen}: no such file; point it at a Chrome or Chromium executable`);
  }
  if (exists(debianChromium)) return { executablePath: debianChromium };
  const missing = `no Chromium for the browser tests: ${debianChromium} is missing and AUTHJWT_CHROMIUM is not set`;
  if (isCi(env)) throw new Error(`${missing}, and CI is set: they must run in CI; ${howTo}`);
  return { skip: ` (SKIPPED: ${missing}; ${howTo})` };
}
