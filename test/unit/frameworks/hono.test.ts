/**
 * Hono's route names without a server: the template rule as a table, and a
 * hooked Hono's `app.request()` run inside a SERVER span, to see which
 * handler names it. The real servers are in test/integration/route-names.test.ts.
 */
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import * as hono from 'hono';
import { reporter } from '../../../src/diag';
import { honoRouteTemplate, isHookedHono, patchHonoModule } from '../../../src/frameworks/hono';

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

/** A copy of the `hono` exports, hooked, so that the module itself stays as it was. */
function hookedHono(): typeof hono.Hono {
  const exports = patchHonoModule({ ...hono }) as typeof hono;
  return exports.Hono;
}

/** Requests `path` of `app` inside a SERVER span, and resolves with the status, and the span's name and `http.route`. */
async function requestInSpan(app: { request(path: string): Response | Promise<Response> }, path: string) {
  const span = trace.getTracer('test').startSpan('GET', { kind: SpanKind.SERVER });
  const response = await context.with(trace.setSpan(context.active(), span), () => app.request(path));
  span.end();
  const [exported] = exporter.getFinishedSpans();
  return { status: response.status, name: exported.name, route: exported.attributes['http.route'] };
}

describe('honoRouteTemplate', () => {
  test.each<[string, unknown, string | null]>([
    ['a route', { method: 'GET', path: '/users/:id' }, '/users/:id'],
    ['a route with a regex parameter', { method: 'GET', path: '/posts/:date{[0-9]+}' }, '/posts/:date{[0-9]+}'],
    ['a route with an optional parameter', { method: 'GET', path: '/animals/:type?' }, '/animals/:type?'],
    ['a GET on a wildcard', { method: 'GET', path: '/files/*' }, '/files/*'],
    ['an all() on an exact path', { method: 'ALL', path: '/ping' }, '/ping'],
    ['use(*)', { method: 'ALL', path: '*' }, null],
    ['use(/api/*)', { method: 'ALL', path: '/api/*' }, null],
    ['use() under a basePath', { method: 'ALL', path: '/v1/*' }, null],
    ['no path', { method: 'GET' }, null],
    ['an empty path', { method: 'GET', path: '' }, null],
    ['no method', { path: '/x' }, null],
    ['not an object', 'GET /x', null],
    ['undefined', undefined, null],
  ])('%s', (_title, route, expected) => {
    expect(honoRouteTemplate(route)).toBe(expected);
  });
});

describe('a hooked Hono', () => {
  test('the hook is seen on the exports, and hooking twice changes nothing', () => {
    const exports = { ...hono };
    expect(isHookedHono(exports)).toBe(false);
    patchHonoModule(exports);
    const once = exports.Hono;
    patchHonoModule(exports);
    expect({ hooked: isHookedHono(exports), same: exports.Hono === once, name: once.name }).toEqual({ hooked: true, same: true, name: 'Hono' });
    expect(new once()).toBeInstanceOf(hono.Hono);
  });

  test("the app's routes and matched routes still list its own handlers", async () => {
    const Hono = hookedHono();
    const app = new Hono();
    const handler = (c: hono.Context) => c.json(c.req.matchedRoutes.map(route => route.handler === handler));
    app.get('/users/:id', handler);
    expect(app.routes.map(route => route.handler)).toEqual([handler]);
    expect(await (await app.request('/users/1')).json()).toEqual([true]);
  });

  test.each<[string, string, number, string, string | undefined]>([
    ['a route that answers', '/users/42', 200, 'GET /users/:id', '/users/:id'],
    ['a route reached through a sub-app under basePath', '/v1/api/items/7', 200, 'GET /v1/api/items/:itemId', '/v1/api/items/:itemId'],
    ['a route that passed on to the next, which answers', '/files/a', 200, 'GET /files/*', '/files/*'],
    ['the only route, which passed on to the not-found handler', '/maybe/x', 404, 'GET', undefined],
    ['a route that throws synchronously', '/boom', 500, 'GET /boom', '/boom'],
    ['a route whose promise rejects', '/later-boom', 500, 'GET /later-boom', '/later-boom'],
    ['middleware that answers by itself', '/admin/x', 401, 'GET', undefined],
    ['no route', '/nothing', 404, 'GET', undefined],
  ])('%s: %s', async (_title, path, status, name, route) => {
    const Hono = hookedHono();
    const app = new Hono();
    app.use('*', async (_c, next) => {
      await next();
    });
    app.use('/admin/*', c => Promise.resolve(c.text('refused', 401)));
    app.get('/users/:id', c => c.text('user'));
    app.get('/maybe/:id', (_c, next) => next());
    app.get('/files/:name', async (_c, next) => {
      await next();
    });
    app.get('/files/*', c => c.text('file'));
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.get('/later-boom', () => Promise.reject(new Error('later')));
    app.onError((_error, c) => c.text('failed', 500));
    const items = new Hono();
    items.get('/items/:itemId', c => c.text('item'));
    app.basePath('/v1').route('/api', items);
    expect(await requestInSpan(app, path)).toEqual({ status, name, route });
  });

  test('an entry tracehop cannot read reaches the router unchanged, reported once, and the app carries on', async () => {
    const warn = jest.spyOn(reporter, 'warn').mockImplementation(() => undefined);
    try {
      const Hono = hookedHono();
      const app = new Hono();
      const handler = (c: hono.Context) => c.text('ok');
      const hostile = {
        get method(): string {
          throw new Error('unreadable');
        },
        path: '/x',
        basePath: '/',
        handler,
      };
      app.router.add('GET', '/x', [handler, hostile]);
      expect(await requestInSpan(app, '/x')).toEqual({ status: 200, name: 'GET', route: undefined });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toBe('hono-route');
    } finally {
      warn.mockRestore();
    }
  });
});
