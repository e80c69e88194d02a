/**
 * Which Chromium the browser tests drive, as a pure function of the environment, and the suite and
 * launch every browser test uses with this process's plan. Debian's chromium at /usr/bin/chromium unless `AUTHJWT_CHROMIUM` names another
 * (a Chrome or Chromium binary; never a browser playwright downloads). With none: CI fails, since a
 * green run that skipped the browser proves nothing there; a developer's machine skips, saying why.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { describe } from 'vitest';
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

let processPlan: ChromiumPlan | undefined;
/** This process's plan, made once: every browser suite of a run skips (never in CI) or runs alike. */
function thisProcess(): ChromiumPlan {
  if (processPlan === undefined) processPlan = planChromium(process.env);
  return processPlan;
}

/**
 * `describe`, or `describe.skip` where there is no Chromium (never in CI, where planChromium throws):
 * `skipNote` says why, for the suite's name, and the file says so on stderr.
 */
export function browserSuite(file: string) {
  const plan = thisProcess();
  const skipNote = 'skip' in plan ? plan.skip : '';
  if (skipNote !== '') console.warn(`${file}${skipNote}`);
  return { suite: skipNote === '' ? describe : describe.skip, skipNote };
}

/** Headless Chromium with the flags every browser test uses (only inside a suite that runs). */
export function launchChromium(): Promise<Browser> {
  const plan = thisProcess();
  if (!('executablePath' in plan)) throw new Error('no Chromium');
  return chromium.launch({
    executablePath: plan.executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
