import { ClientError } from '../errors.js';

/**
 * Fastify's router (find-my-way) takes paths in ways Express's and Hono's do not; these helpers make
 * the app on those two answer every path as the Fastify app does.
 */

/**
 * The path as find-my-way routes it: every percent-escape decoded but those of reserved characters
 * (`%2F` stays a slash inside a segment), `%25` kept escaped so a parameter is decoded once only. So
 * `/m%65` is `/me`. The path must decode (see checkPathDecodes).
 */
export function routingPath(path: string): string {
  return path.includes('%') ? decodeURI(path.replaceAll('%25', '%2525')) : path;
}

/**
 * Whether a raw path has a `.` or `..` segment (escaped or not). find-my-way takes them literally, so
 * no route of the app matches; a URL parser (Hono's Request) would resolve them away first.
 */
export function hasDotSegment(path: string): boolean {
  return path.split('/').some((segment) => {
    const plain = segment.replace(/%2e/gi, '.');
    return plain === '.' || plain === '..';
  });
}

/**
 * The paths a route answers on: its own and, as find-my-way matches an empty parameter
 * (`/sessions/` is `/sessions/:id` with `id` empty, refused then by the schema), the same with each
 * parameter empty. `empty` names the parameters that are empty on that path.
 */
export function routePaths(path: string): { path: string; empty: string[] }[] {
  const names = [...path.matchAll(/:(\w+)/g)].map((match) => match[1] as string);
  let variants = [{ path, empty: [] as string[] }];
  for (const name of names) {
    variants = variants.flatMap((variant) => [
      variant,
      { path: variant.path.replace(`:${name}`, ''), empty: [...variant.empty, name] },
    ]);
  }
  return variants;
}

/** find-my-way's (Fastify's router's) longest parameter; a longer one is refused with 414. */
export const maxParamLength = 100;

/** Refuses, as Fastify's router does, a route parameter longer than it takes: 414. */
export function checkParamLengths(params: Record<string, string>): void {
  for (const value of Object.values(params)) {
    if (value.length > maxParamLength) throw new ClientError(414);
  }
}

/**
 * Refuses, as Fastify's router does, a path that does not percent-decode (`/%zz`, a broken UTF-8
 * sequence): 400 before any route is looked up. The query string is not part of it.
 */
export function checkPathDecodes(path: string): void {
  try {
    decodeURIComponent(path);
  } catch {
    throw new ClientError(400);
  }
}
