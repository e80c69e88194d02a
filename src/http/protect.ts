import { AuthConfigError } from '../errors.js';

/** Paths a protect-everything guard leaves open. */
export type OpenPaths = readonly (string | RegExp)[];

/**
 * Builds the test of whether a request path is left open: an exact path (`'/health'`), a prefix
 * ending in `/*` (`'/public/*'` opens `/public/` and everything under it), or a RegExp tested on the
 * path. The query string is not part of the path. A path with dot segments, backslashes, doubled
 * slashes or encoded dots, slashes or backslashes is never open: a framework or proxy may resolve it
 * to a different route than the text says (`/public/../admin`), so it stays guarded.
 */
export function openPathTest(except: OpenPaths | undefined, option: string): (path: string) => boolean {
  if (except === undefined || except.length === 0) return () => false;
  if (!Array.isArray(except)) throw new AuthConfigError(option, 'must be an array of paths or RegExps');
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const patterns: RegExp[] = [];
  for (const entry of except as readonly unknown[]) {
    if (entry instanceof RegExp) patterns.push(entry);
    else if (typeof entry === 'string' && entry.startsWith('/')) {
      if (entry.endsWith('/*')) prefixes.push(entry.slice(0, -1));
      else exact.add(entry);
    } else
      throw new AuthConfigError(
        option,
        'takes paths starting with "/" (a "/*" suffix for a prefix) or RegExps',
      );
  }
  return (rawPath) => {
    const query = rawPath.indexOf('?');
    const path = query === -1 ? rawPath : rawPath.slice(0, query);
    if (ambiguous.test(path)) return false;
    return (
      exact.has(path) ||
      prefixes.some((prefix) => path.startsWith(prefix)) ||
      patterns.some((pattern) => {
        pattern.lastIndex = 0;
        return pattern.test(path);
      })
    );
  };
}

/** Dot segments, backslashes, `//`, and percent-encoded `.`, `/` or `\`. */
const ambiguous = /(^|\/)\.\.?(\/|$)|\\|\/\/|%2e|%2f|%5c/i;
