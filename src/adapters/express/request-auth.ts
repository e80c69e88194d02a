import { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import type { AuthContext } from '../../auth.js';

/**
 * `req.auth` as an accessor of Express's request prototype, its values held in a WeakMap.
 *
 * Why not a property of the request itself: Express gives every request its app's prototype
 * (`Object.setPrototypeOf(req, app.request)`), after which V8 adds a property to that request on its
 * slow path (a map migration and copied descriptors), and Express's own later additions to it pay
 * more. Counted with callgrind (bench:instructions), the guard cost +33k instructions per request with
 * `req.auth = context`, and +1.9k to +3.2k through the accessor. Reading through the accessor costs
 * what reading the property did: a lookup that misses V8's caches either way, for the same reason.
 *
 * The accessor sits on the prototype every app's `request` inherits from (the one just above
 * `IncomingMessage.prototype`), so `req.auth` stays readable in a mounted app, and assigning it (the
 * application's own middleware, express-jwt) still works.
 */
const contexts = new WeakMap<object, AuthContext | null>();

const accessor: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: object) {
    return contexts.get(this);
  },
  set(this: object, context: AuthContext | null) {
    contexts.set(this, context);
  },
};

/** The request's own prototype the last time the accessor was found in its chain. */
let checkedPrototype: object | null = null;

/** Sets `req.auth`: through the accessor when the request's prototype chain has it, else as a property. */
export function setRequestAuth(request: Request, context: AuthContext | null): void {
  const prototype = Object.getPrototypeOf(request) as object | null;
  if (prototype !== checkedPrototype && !installAccessor(prototype)) {
    // Not a request Express made (a test's stand-in): a plain property does.
    request.auth = context;
    return;
  }
  checkedPrototype = prototype;
  contexts.set(request, context);
}

/** Puts the accessor on Express's base request prototype above `prototype`; false if there is none. */
function installAccessor(prototype: object | null): boolean {
  let base = prototype;
  while (base !== null && Object.getPrototypeOf(base) !== IncomingMessage.prototype) {
    base = Object.getPrototypeOf(base) as object | null;
  }
  if (base === null) return false;
  if (Object.getOwnPropertyDescriptor(base, 'auth')?.get !== accessor.get) {
    Object.defineProperty(base, 'auth', accessor);
  }
  return true;
}
