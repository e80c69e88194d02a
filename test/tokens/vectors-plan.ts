/**
 * The rule for the public test vectors, as pure functions of a folder and an environment (vectors.ts
 * applies it to this process). The vectors sit beside the project in `../shared/vectors` and are read
 * in place, never copied into the repository. A user's clone has no `../shared`: there the vector
 * suites skip and say why in their names. A CI run without them must fail instead: a green run that
 * silently skipped every known-answer test proves nothing.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type Env = Readonly<Record<string, string | undefined>>;

/** What the vector suites do: run, or skip with a note for their names. */
export interface VectorsPlan {
  readonly present: boolean;
  /** Appended to each vector suite's name; empty when they run. */
  readonly note: string;
}

const defaultDir = fileURLToPath(new URL('../../../shared/vectors/', import.meta.url));

/** The vectors folder: `../shared/vectors`, or `AUTHJWT_VECTORS_DIR` when set (tests of this rule use it). */
export function vectorsDirFrom(env: Env): string {
  return env.AUTHJWT_VECTORS_DIR || defaultDir;
}

/** `CI` as CI services set it (`true`, `1`); unset, empty, `false` or `0` is a developer's machine. */
export function isCi(env: Env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/** Run, or skip with a note; throws in CI when the folder is missing (vectors.ts calls it at import). */
export function planVectors(
  dir: string,
  env: Env,
  exists: (path: string) => boolean = existsSync,
): VectorsPlan {
  if (exists(dir)) return { present: true, note: '' };
  if (isCi(env)) {
    throw new Error(
      `the public test vectors are missing at ${dir}, and CI is set: the vector suites must run in CI, ` +
        'not skip (put them in ../shared/vectors beside the project, or set AUTHJWT_VECTORS_DIR)',
    );
  }
  return {
    present: false,
    note: ` (SKIPPED: the public test vectors were not found at ${dir}; they live beside the project in ../shared/vectors)`,
  };
}
