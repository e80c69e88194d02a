import { Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { type ConformanceApp, runAdapterConformance } from 'authjwt/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthContext,
  AuthjwtModule,
  OptionalAccess,
  OptionalAuthContext,
  RequireAccess,
  RequireClaims,
  RequireExternal,
  RequireFresh,
  RequireRefresh,
  RequireRoles,
  RequireScopes,
} from '../../../src/adapters/nestjs/index.js';
import { type Platform, startNest } from './app.js';

/*
 * Issue 13, point 2: the NestJS adapter passes the adapter conformance suite on both Nest platforms,
 * Express and Fastify, over real HTTP and WebSockets.
 */

const api = { describe, it, expect, beforeEach, afterEach };
const ofAcme = (claims: Record<string, unknown>) => claims.tenant === 'acme';

@Controller()
class ConformanceController {
  @Get('access')
  @RequireAccess()
  access(@AuthContext() auth: AuthContext) {
    return { subject: auth.subject };
  }

  @Post('access')
  @HttpCode(200)
  @RequireAccess()
  postAccess(@AuthContext() auth: AuthContext) {
    return { subject: auth.subject };
  }

  @Get('optional')
  @OptionalAccess()
  optional(@OptionalAuthContext() auth: AuthContext | null) {
    return { subject: auth?.subject ?? null };
  }

  @Post('refresh')
  @HttpCode(200)
  @RequireRefresh()
  refresh(@AuthContext() auth: AuthContext) {
    return { subject: auth.subject };
  }

  @Get('fresh')
  @RequireFresh()
  fresh(@AuthContext() auth: AuthContext) {
    return { subject: auth.subject };
  }

  @Get('admin')
  @RequireRoles('admin')
  admin(@AuthContext() auth: AuthContext) {
    return { subject: auth.subject };
  }

  @Get('cookie-only')
  @RequireAccess({ from: 'cookie' })
  cookieOnly(@AuthContext() auth: AuthContext) {
    return { subject: auth.subject };
  }

  @Get('scopes')
  @RequireScopes('read:items', 'write:items')
  scopes(@AuthContext() auth: AuthContext) {
    return { subject: auth.subject };
  }

  @Get('claims')
  @RequireClaims(ofAcme)
  claims(@AuthContext() auth: AuthContext) {
    return { subject: auth.subject };
  }

  @Get('external')
  @RequireExternal({ scopes: ['read:items'] })
  external(@AuthContext() auth: AuthContext) {
    return { subject: auth.subject };
  }
}

function nestApp(platform: Platform): ConformanceApp {
  return async (options) => {
    @Module({ imports: [AuthjwtModule.forRoot(options)], controllers: [ConformanceController] })
    class ConformanceModule {}
    return startNest(platform, ConformanceModule, { sockets: true });
  };
}

runAdapterConformance('NestJS 12 on Express', nestApp('express'), api);
runAdapterConformance('NestJS 12 on Fastify', nestApp('fastify'), api);
