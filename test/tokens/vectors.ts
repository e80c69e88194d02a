/**
 * The public test vectors for the vector suites, found and read as vectors-plan.ts decides. Importing
 * this module is what fails a vector suite in CI when the vectors are missing.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { planVectors, vectorsDirFrom } from './vectors-plan.js';

export const vectorsDir = vectorsDirFrom(process.env);
const plan = planVectors(vectorsDir, process.env);
export const haveVectors = plan.present;
/** Appended to the name of every vector suite, so a clone without the vectors says why it skipped. */
export const vectorsNote = plan.note;

if (!haveVectors) {
  console.warn(`authjwt token suites: ${vectorsDir} is missing, so the vector suites are skipped.`);
}

const vectorsUrl = pathToFileURL(vectorsDir.endsWith('/') ? vectorsDir : `${vectorsDir}/`);

/** Reads a vector file, or `undefined` when the vectors folder is absent (the suite is then skipped). */
export function readVector<T>(relative: string): T | undefined {
  if (!haveVectors) return undefined;
  return JSON.parse(readFileSync(new URL(relative, vectorsUrl), 'utf8')) as T;
}
