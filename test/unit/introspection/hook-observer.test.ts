import { trace } from '@opentelemetry/api';
import { describeLoad } from '../../../src/introspection/hook-observer';
import type { ModuleLoad } from '../../../src/introspection/hook-observer';
import { patchExpressModule } from '../../../src/frameworks/express';
import { patchHapiModule } from '../../../src/frameworks/hapi';
import { patchHonoModule } from '../../../src/frameworks/hono';
import { patchKoaRouterModule } from '../../../src/frameworks/koa';
import { patchPinoModule } from '../../../src/logging/pino-hook';
import { defaultLogLineSettings } from '../../support/runtime';

/** What shimmer leaves on a wrapped function, which `isWrapped` looks for. */
function wrapped(): () => void {
  const fn = () => undefined;
  return Object.assign(fn, { __wrapped: true, __original: () => undefined, __unwrap: () => undefined });
}

function namespace(exports: Record<string, unknown>): Record<string, unknown> {
  return Object.defineProperty(Object.assign(Object.create(null) as Record<string, unknown>, exports), Symbol.toStringTag, { value: 'Module' });
}

const hookedHttp = { request: wrapped(), Server: { prototype: { emit: wrapped() } } };
const plainHttp = { request: () => undefined, Server: { prototype: { emit: () => undefined } } };
const halfHttp = { request: wrapped(), Server: { prototype: { emit: () => undefined } } };
const hookedBullmq = { Queue: { prototype: { add: wrapped() } }, Worker: { prototype: { callProcessJob: wrapped() } } };
const plainBullmq = { Queue: { prototype: { add: () => undefined } }, Worker: { prototype: { callProcessJob: () => undefined } } };
const pinoFactory = Object.assign(() => ({}), { destination: () => undefined });

/** Express 4's Router is its prototype object, a function with `use` and `route` on it. */
function express4Exports(): unknown {
  const Router = Object.assign(function Router() {}, { use() {}, route() {} });
  return { Router };
}

/** Express 5's Router is a class with `use` and `route` on its prototype. */
function express5Exports(): unknown {
  class Router {
    use() {}
    route() {}
  }
  return { Router };
}

/** @koa/router exports its Router class, the route methods (`get`, `all`, ...) on the prototype. */
function koaRouterExports(): unknown {
  return class Router {
    get() {
      return this;
    }
    all() {
      return this;
    }
  };
}

/** @hapi/hapi exports one server factory as `server` and `Server`. */
function hapiExports(): unknown {
  const server = () => ({ ext() {} });
  return { server, Server: server };
}

/** hono exports its Hono class by name. */
function honoExports(): Record<string, unknown> {
  return { Hono: class Hono {} };
}

describe('describeLoad', () => {
  test.each<[string, string, unknown, string | undefined, ModuleLoad]>([
    ['http by require, client and server wrapped', 'http', hookedHttp, undefined, { module: 'http', via: 'require', hooked: true }],
    ['http by require, nothing wrapped', 'http', plainHttp, undefined, { module: 'http', via: 'require', hooked: false }],
    [
      'http with only the client wrapped is hooked (the server span comes from a diagnostics channel)',
      'https',
      halfHttp,
      undefined,
      { module: 'https', via: 'require', hooked: true },
    ],
    ['http by import, from its namespace', 'http', namespace(hookedHttp), undefined, { module: 'http', via: 'import', hooked: true }],
    [
      'pino by require, hooked',
      'pino',
      patchPinoModule(pinoFactory, defaultLogLineSettings()),
      '10.4.0',
      { module: 'pino', version: '10.4.0', via: 'require', hooked: true },
    ],
    ['pino by require, not hooked', 'pino', pinoFactory, '6.14.0', { module: 'pino', version: '6.14.0', via: 'require', hooked: false }],
    [
      'pino by import, hooked',
      'pino',
      patchPinoModule(namespace({ default: pinoFactory, pino: pinoFactory }), defaultLogLineSettings()),
      '10.4.0',
      { module: 'pino', version: '10.4.0', via: 'import', hooked: true },
    ],
    ['bullmq by require, its Worker hooked', 'bullmq', hookedBullmq, '5.81.5', { module: 'bullmq', version: '5.81.5', via: 'require', hooked: true }],
    ['bullmq by import, not hooked', 'bullmq', namespace(plainBullmq), '6.7.0', { module: 'bullmq', version: '6.7.0', via: 'import', hooked: false }],
    ['a module we cannot check', 'koa', {}, '2.16.0', { module: 'koa', version: '2.16.0', via: 'require', hooked: undefined }],
    [
      'express 4 by require, its Router hooked',
      'express',
      patchExpressModule(express4Exports()),
      '4.21.2',
      { module: 'express', version: '4.21.2', via: 'require', hooked: true },
    ],
    [
      'express 5 by import, its Router hooked',
      'express',
      patchExpressModule(namespace({ default: express5Exports() })),
      '5.1.0',
      { module: 'express', version: '5.1.0', via: 'import', hooked: true },
    ],
    [
      '@koa/router by require, hooked',
      '@koa/router',
      patchKoaRouterModule(koaRouterExports()),
      '13.1.1',
      { module: '@koa/router', version: '13.1.1', via: 'require', hooked: true },
    ],
    ['@koa/router not hooked', '@koa/router', koaRouterExports(), '13.1.1', { module: '@koa/router', version: '13.1.1', via: 'require', hooked: false }],
    [
      '@hapi/hapi by require, hooked',
      '@hapi/hapi',
      patchHapiModule(hapiExports()),
      '21.4.0',
      { module: '@hapi/hapi', version: '21.4.0', via: 'require', hooked: true },
    ],
    ['@hapi/hapi not hooked', '@hapi/hapi', hapiExports(), '21.4.0', { module: '@hapi/hapi', version: '21.4.0', via: 'require', hooked: false }],
    ['hono by require, hooked', 'hono', patchHonoModule(honoExports()), '4.13.23', { module: 'hono', version: '4.13.23', via: 'require', hooked: true }],
    [
      'hono by import, hooked',
      'hono',
      patchHonoModule(namespace(honoExports())),
      '4.13.23',
      { module: 'hono', version: '4.13.23', via: 'import', hooked: true },
    ],
    ['hono not hooked', 'hono', honoExports(), '4.13.23', { module: 'hono', version: '4.13.23', via: 'require', hooked: false }],
    ['express not hooked', 'express', express5Exports(), '5.1.0', { module: 'express', version: '5.1.0', via: 'require', hooked: false }],
    [
      "tracehop's own @opentelemetry/api",
      '@opentelemetry/api',
      { trace },
      '1.10.0',
      { module: '@opentelemetry/api', version: '1.10.0', via: 'require', hooked: undefined, apiCopy: 'tracehops-own' },
    ],
    [
      "an @opentelemetry/api copy by import that sees tracehop's provider",
      '@opentelemetry/api',
      namespace({ trace: { getTracerProvider: () => trace.getTracerProvider() } }),
      '1.9.1',
      { module: '@opentelemetry/api', version: '1.9.1', via: 'import', hooked: undefined, apiCopy: 'sees-provider' },
    ],
    [
      'an @opentelemetry/api copy with a provider of its own',
      '@opentelemetry/api',
      { trace: { getTracerProvider: () => ({}) } },
      '1.11.0',
      { module: '@opentelemetry/api', version: '1.11.0', via: 'require', hooked: undefined, apiCopy: 'separate-provider' },
    ],
  ])('%s', (_title, module, exports, version, expected) => {
    expect(describeLoad(module, exports, version)).toEqual(expected);
  });
});
