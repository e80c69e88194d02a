import type { FastifyReply } from 'fastify';

/** A 404 in the same body shape as every other refusal. */
export function notFound(reply: FastifyReply, message: string) {
  return reply.code(404).send({ statusCode: 404, code: 'not_found', error: 'Not Found', message });
}
