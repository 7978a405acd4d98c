/**
 * Koa's route names without a server: a hooked @koa/router's `routes()` run
 * on a bare context inside a SERVER span, its response's finish stood in for
 * by nameAnsweredRoute, to see which route names the span; and the router's
 * own stack, as a route lister reads it. The real servers (Koa 2 and 3) are
 * in test/integration/route-names.test.ts.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { nameAnsweredRoute } from '../../../src/frameworks/answered-route';
import { isHookedKoaRouter, patchKoaRouterModule } from '../../../src/frameworks/koa';

type Middleware = (ctx: KoaContext, next: () => Promise<unknown>) => unknown;
interface KoaContext {
  method: string;
  path: string;
  req: object;
  request: object;
  status?: number;
  body?: unknown;
}
interface Layer {
  path: string;
  methods: string[];
  stack: Middleware[];
}
interface Router {
  stack: Layer[];
  get(path: string, ...middleware: Middleware[]): Router;
  all(path: string, ...middleware: Middleware[]): Router;
  use(...args: unknown[]): Router;
  routes(): (ctx: KoaContext, next: () => Promise<unknown>) => Promise<unknown>;
}
type RouterClass = new (options?: { prefix?: string }) => Router;

// Jest gives this file its own copy of @koa/router: the hook patches that copy's prototype only.
const Router = patchKoaRouterModule(createRequire(__filename)('@koa/router')) as RouterClass;

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(() => {
  context.disable();
  trace.disable();
});
afterEach(() => exporter.reset());

const passOn: Middleware = (ctx, next) => next();
function answer(ctx: KoaContext): void {
  ctx.body = 'ok';
}
function boom(): never {
  throw new Error('boom');
}

function app(): Router {
  const root = new Router();
  root.all('/api/(.*)', passOn);
  root.get('/chain/:id', passOn);
  root.get('/chain/:name', answer);
  root.get('/pair/:id', passOn, answer);
  root.get('/boom/:id', boom);
  const items = new Router();
  items.get('/items/:itemId', answer);
  const api = new Router({ prefix: '/api' });
  api.use(items.routes());
  // As app.use(root.routes()).use(api.routes()) composes them.
  const outer = new Router();
  outer.use(root.routes(), api.routes());
  return outer;
}

/** Runs GET `path` through `router` inside a SERVER span, then names the span as the response's finish would. */
async function requestInSpan(router: Router, path: string) {
  const span = trace.getTracer('test').startSpan('GET', { kind: SpanKind.SERVER });
  const req = {};
  const ctx: KoaContext = { method: 'GET', path, req, request: {} };
  let thrown: unknown;
  await context.with(trace.setSpan(context.active(), span), async () => {
    await router
      .routes()(ctx, () => {
        ctx.status = 404;
        return Promise.resolve();
      })
      .catch((error: unknown) => {
        thrown = error;
      });
  });
  nameAnsweredRoute(req);
  span.end();
  const [exported] = exporter.getFinishedSpans();
  return { answered: thrown === undefined ? (ctx.body ?? ctx.status) : 'threw', name: exported.name, route: exported.attributes['http.route'] };
}

test.each([
  ['/chain/5', 'ok', 'GET /chain/:name', '/chain/:name'],
  ['/pair/6', 'ok', 'GET /pair/:id', '/pair/:id'],
  ['/api/items/7', 'ok', 'GET /api/items/:itemId', '/api/items/:itemId'],
  ['/boom/1', 'threw', 'GET /boom/:id', '/boom/:id'],
  ['/api/nothing', 404, 'GET', undefined],
  ['/nothing', 404, 'GET', undefined],
])('GET %s: answered %p, the span is %p with http.route %p', async (path, answered, name, route) => {
  expect(await requestInSpan(app(), path)).toEqual({ answered, name, route });
});

test("the router is hooked, and its stack lists the routes with their own functions' names and lengths", () => {
  expect(isHookedKoaRouter(Router)).toBe(true);
  const router = new Router();
  router.get('/pair/:id', passOn, answer);
  const [layer] = router.stack;
  expect({ path: layer.path, methods: layer.methods }).toEqual({ path: '/pair/:id', methods: ['HEAD', 'GET'] });
  expect(layer.stack.map(fn => [fn.name, fn.length])).toEqual([
    ['passOn', 2],
    ['answer', 1],
  ]);
});

test('over HTTP/2 (compatibility API) routes that pass the request on add one finish listener to its stream, which names the route that answered', async () => {
  const root = new Router();
  // More pass-on routes than an emitter's default limit of listeners (10).
  for (let i = 0; i < 12; i++) root.all('/api/(.*)', passOn);
  root.get('/api/items/:itemId', answer);
  // A stand-in Http2ServerRequest: its `stream` has `respond`, and emits `finish` as the response finishes.
  const stream = Object.assign(new EventEmitter(), { respond: () => undefined });
  const req = { stream };
  const ctx: KoaContext = { method: 'GET', path: '/api/items/7', req, request: {} };
  const span = trace.getTracer('test').startSpan('GET', { kind: SpanKind.SERVER });
  await context.with(trace.setSpan(context.active(), span), () => root.routes()(ctx, () => Promise.resolve()));
  expect(stream.listenerCount('finish')).toBe(1);
  stream.emit('finish');
  span.end();
  const [exported] = exporter.getFinishedSpans();
  expect({ answered: ctx.body, name: exported.name, route: exported.attributes['http.route'] }).toEqual({
    answered: 'ok',
    name: 'GET /api/items/:itemId',
    route: '/api/items/:itemId',
  });
});
