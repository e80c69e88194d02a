import type { FastifyInstance } from 'fastify';
import type { AppConfig } from './config.js';
import { buildFastifyApp } from './fastify/app.js';

export type { AppContext } from './context.js';

/**
 * The reference app on Fastify, as a Fastify instance (for `inject` in tests). `startApp` in start.ts
 * runs it on the framework the configuration names.
 */
export function buildApp(config: AppConfig): Promise<FastifyInstance> {
  return buildFastifyApp(config);
}
