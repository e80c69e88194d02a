import { Ajv, type ErrorObject } from 'ajv';
import { ClientError } from '../errors.js';
import type { RouteSchema } from '../handlers/types.js';

/**
 * ajv as Fastify 5 runs it (@fastify/ajv-compiler's defaults) with the app's two changes, set on the
 * Fastify app too: no type coercion (`{"username": 1}` is a 400, not the user "1") and no removal of
 * additional properties.
 */
const ajv = new Ajv({
  coerceTypes: false,
  useDefaults: true,
  removeAdditional: false,
  addUsedSchema: false,
  allErrors: false,
});

/**
 * The validation of a route's params and body from its schemas (app/routes/schemas.ts), in Fastify's
 * order and with Fastify's message (`body/username must be string`): 400 `bad_request`.
 */
export function compileValidation(schema: RouteSchema): (params: unknown, body: unknown) => void {
  const checks = (['params', 'body'] as const).flatMap((part) => {
    const partSchema = schema[part];
    return partSchema === undefined ? [] : [{ part, validate: ajv.compile(partSchema) }];
  });
  return (params, body) => {
    for (const { part, validate } of checks) {
      if (!validate(part === 'params' ? params : body)) {
        throw new ClientError(400, message(part, validate.errors ?? []));
      }
    }
  };
}

function message(part: string, errors: readonly ErrorObject[]): string {
  return errors.map((error) => `${part}${error.instancePath} ${error.message}`).join(', ');
}
