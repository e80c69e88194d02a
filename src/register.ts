/**
 * What an application declares once, by module augmentation, for every adapter to type:
 *
 * ```ts
 * declare module 'authjwt' {
 *   interface Register {
 *     user: User; // what `users.load` returns: `request.auth.user` is a `User` everywhere
 *   }
 * }
 * ```
 *
 * Declared once rather than passed as a type parameter to each guard, route and handler: the user
 * reaches an Express `req.auth`, a Hono `c.var.auth` and a Nest parameter alike.
 */
// biome-ignore lint/suspicious/noEmptyInterface: empty until an application augments it
export interface Register {}

/** The user type an application registered, else `unknown`. */
export type RegisteredUser = Register extends { user: infer User } ? User : unknown;
