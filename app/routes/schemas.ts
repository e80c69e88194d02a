/**
 * JSON schemas of the routes: the one source for every framework. Fastify validates with them and
 * documents them (OpenAPI); Express and Hono validate with ajv compiled from them with Fastify's settings
 * (app/node/validation.ts). Bounds keep hostile bodies cheap to refuse.
 */

export const credentialsBody = {
  type: 'object',
  required: ['username', 'password'],
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 128 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

export const exchangeBody = {
  type: 'object',
  required: ['id_token'],
  properties: {
    id_token: { type: 'string', minLength: 1, maxLength: 8192 },
    nonce: { type: 'string', minLength: 1, maxLength: 512 },
  },
} as const;

export const externalMeResponse = {
  type: 'object',
  properties: {
    subject: { type: 'string' },
    issuer: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const tokenPairResponse = {
  type: 'object',
  required: ['access_token', 'refresh_token', 'token_type', 'expires_in'],
  properties: {
    access_token: { type: 'string' },
    refresh_token: { type: 'string' },
    token_type: { type: 'string', const: 'Bearer' },
    expires_in: { type: 'integer' },
  },
} as const;

export const accessTokenResponse = {
  type: 'object',
  required: ['access_token', 'token_type', 'expires_in'],
  properties: {
    access_token: { type: 'string' },
    token_type: { type: 'string', const: 'Bearer' },
    expires_in: { type: 'integer' },
  },
} as const;

export const usernameParams = {
  type: 'object',
  required: ['username'],
  properties: { username: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

export const newPasswordBody = {
  type: 'object',
  required: ['new_password'],
  properties: { new_password: { type: 'string', minLength: 8, maxLength: 1024 } },
} as const;

export const sessionIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export const meResponse = {
  type: 'object',
  properties: {
    username: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    session_id: { type: 'string' },
  },
} as const;

export const sessionResponse = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    last_seen_at: { type: 'string', format: 'date-time' },
    user_agent: { type: ['string', 'null'] },
    ip: { type: ['string', 'null'] },
    current: { type: 'boolean' },
  },
} as const;

export const statsResponse = {
  type: 'object',
  properties: { users: { type: 'integer' }, uptime_seconds: { type: 'integer' } },
} as const;

export const noContent = { 204: { type: 'null' } } as const;
