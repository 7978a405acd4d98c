/**
 * Route names over real servers under `node -r ./register.js`: the SERVER
 * span exported for each request is named `METHOD template` and carries
 * `http.route`; a request that matched no route keeps the plain method.
 * Express and Fastify are npm aliases (see test/support/framework-apps.ts);
 * the other frameworks' fixtures load them by their own names.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { FRAMEWORK_FIXTURES as FIXTURES, REPO_NODE_MODULES, linkedExpressApp, linkedFixture, type LinkedApp } from '../support/framework-apps';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { REGISTER, startService, type Service } from '../support/services';

jest.setTimeout(60_000);

const running: Service[] = [];
const linked: LinkedApp[] = [];
let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});

afterAll(async () => {
  await Promise.all(running.map(service => service.stop()));
  await receiver.close();
  for (const app of linked) app.remove();
});

function expressAppDir(alias: string, fixture: string): string {
  const app = linkedExpressApp(alias, fixture);
  linked.push(app);
  return app.script;
}

async function start(name: string, script: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Service> {
  const service = await startService(
    name,
    script,
    {
      OTEL_SERVICE_NAME: name,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '50',
      // The linked framework's own dependencies resolve from the repository.
      NODE_PATH: REPO_NODE_MODULES,
      ...env,
    },
    { nodeArgs: ['--preserve-symlinks', ...nodeArgs, '-r', REGISTER] },
  );
  running.push(service);
  return service;
}

/** Sends GET `path` and resolves with the exported SERVER span of that request (matched by url.path). */
async function serverSpanFor(service: Service, urlPath: string, expectedStatus: number): Promise<ReceivedSpan> {
  const response = await fetch(`${service.url}${urlPath}`);
  await response.arrayBuffer();
  expect(response.status).toBe(expectedStatus);
  const find = (spans: ReceivedSpan[]) => spans.find(s => s.service === service.name && s.kind === 2 && s.attributes['url.path'] === urlPath);
  return find(await receiver.waitForSpans(spans => find(spans) !== undefined, 30_000))!;
}

async function expectRoutes(service: Service, routes: Array<[string, string]>): Promise<void> {
  for (const [urlPath, template] of routes) {
    const span = await serverSpanFor(service, urlPath, 200);
    expect({ name: span.name, route: span.attributes['http.route'] }).toEqual({ name: `GET ${template}`, route: template });
  }
  const unmatched = await serverSpanFor(service, '/no/such/route/42', 404);
  expect({ name: unmatched.name, route: unmatched.attributes['http.route'] }).toEqual({ name: 'GET', route: undefined });
}

/** Path, status, and the span's name and `http.route` (undefined: the plain method). See test/fixtures/frameworks/express-app.js. */
const EXPRESS_REQUESTS: Array<[string, number, string, string | undefined]> = [
  ['/users/42', 200, 'GET /users/:id', '/users/:id'],
  // The catch-all on /api passed on: the mounted router's route answers.
  ['/api/items/7', 200, 'GET /api/items/:itemId', '/api/items/:itemId'],
  ['/nested/v1/items/8', 200, 'GET /nested/v1/items/:itemId', '/nested/v1/items/:itemId'],
  // /chain/:id passed on to /chain/:name, which answers.
  ['/chain/5', 200, 'GET /chain/:name', '/chain/:name'],
  ['/later/3', 200, 'GET /later/:id', '/later/:id'],
  ['/tenants/acme/things/9', 200, 'GET /tenants/:tenant/things/:thingId', '/tenants/:tenant/things/:thingId'],
  ['/boom/1', 500, 'GET /boom/:id', '/boom/:id'],
  // Only the catch-all matched, and it passed on: the not-found handler answers.
  ['/api/nothing/here', 404, 'GET', undefined],
  ['/api', 404, 'GET', undefined],
  ['/no/such/route/42', 404, 'GET', undefined],
];

describe.each(['express4', 'express5'])('%s route names', alias => {
  test(`${alias}: routes, nested routers and sub-apps name the server span; a route that passed on (a catch-all before a 404) does not, a throw keeps its route`, async () => {
    const service = await start(`${alias}-cjs`, expressAppDir(alias, 'express-app.js'));
    for (const [urlPath, status, name, route] of EXPRESS_REQUESTS) {
      const span = await serverSpanFor(service, urlPath, status);
      expect({ urlPath, name: span.name, route: span.attributes['http.route'] }).toEqual({ urlPath, name, route });
    }
  });

  test(`${alias}: an ES module app that imports express gets route names too`, async () => {
    const service = await start(`${alias}-esm`, expressAppDir(alias, 'express-app.mjs'));
    await expectRoutes(
      service,
      EXPRESS_REQUESTS.slice(0, 2).map(([urlPath, , , route]) => [urlPath, route!]),
    );
  });

  test(`${alias}: the routers' own stacks list the same routes with tracehop as without`, () => {
    const script = expressAppDir(alias, 'express-route-list.js');
    const list = (nodeArgs: string[]) =>
      JSON.parse(
        execFileSync(process.execPath, ['--preserve-symlinks', ...nodeArgs, script], {
          env: { ...process.env, NODE_PATH: REPO_NODE_MODULES, OTEL_TRACES_EXPORTER: 'none', OTEL_SERVICE_NAME: `${alias}-list` },
          encoding: 'utf8',
          timeout: 30_000,
        }),
      ) as string[];
    const without = list([]);
    expect(without).toEqual(expect.arrayContaining(['GET /users/:id', 'GET /nested/v1/items/:itemId', 'GET /tenants/:tenant/things/:thingId']));
    expect(list(['-r', REGISTER])).toEqual(without);
  });
});

describe.each([
  ['loads express with import() when asked, as NestJS 12 does', 'esm-only-web'],
  ['imports express statically, as @nestjs/bullmq imports bullmq', 'esm-only-static-web'],
])('a CommonJS app whose ES-module-only dependency %s', (_how, pkg) => {
  test(`${pkg}: route names, the hooks being in the app's thread from the start`, async () => {
    const app = linkedFixture({ express: 'express5', [pkg]: path.join(FIXTURES, pkg) }, path.join(FIXTURES, 'esm-dependency-app.js'));
    linked.push(app);
    const service = await start(`${pkg}-dependency`, app.script, { ESM_ONLY_PACKAGE: pkg });
    await expectRoutes(service, [
      ['/users/42', '/users/:id'],
      ['/api/items/7', '/api/items/:itemId'],
    ]);
  });
});

describe.each(['fastify4', 'fastify5'])('%s route names', alias => {
  test(`${alias}: routes and prefixed plugins name the server span through fastify.initialization; an unmatched path keeps GET`, async () => {
    const service = await start(`${alias}-cjs`, path.join(FIXTURES, 'fastify-app.js'), { FASTIFY_MODULE: alias });
    await expectRoutes(service, [
      ['/users/42', '/users/:id'],
      ['/api/items/7', '/api/items/:itemId'],
    ]);
  });
});

describe.each(['express', 'fastify'])('NestJS 11 on %s route names', platform => {
  test(`NestJS on ${platform}: controller routes name the server span through the platform's hook; an unmatched path keeps GET`, async () => {
    const service = await start(`nest-${platform}`, path.join(FIXTURES, 'nest-app.js'), { NEST_PLATFORM: platform });
    await expectRoutes(service, [
      ['/users/42', '/users/:id'],
      ['/api/items/7', '/api/items/:itemId'],
    ]);
  });
});

describe.each(['express', 'fastify'])('NestJS 11 on %s with a global prefix and a middleware for every route', platform => {
  test(`NestJS on ${platform}: prefixed routes name the span; 404s under the prefix, past the forRoutes('*') middleware, keep GET`, async () => {
    const service = await start(`nest-${platform}-prefixed`, path.join(FIXTURES, 'nest-app.js'), { NEST_PLATFORM: platform, NEST_GLOBAL_PREFIX: 'api' });
    for (const [urlPath, status, name, route] of [
      ['/api/users/42', 200, 'GET /api/users/:id', '/api/users/:id'],
      ['/api/api/items/7', 200, 'GET /api/api/items/:itemId', '/api/api/items/:itemId'],
      ['/api/no/such/route', 404, 'GET', undefined],
      ['/api', 404, 'GET', undefined],
      ['/elsewhere', 404, 'GET', undefined],
    ] as Array<[string, number, string, string | undefined]>) {
      const span = await serverSpanFor(service, urlPath, status);
      expect({ urlPath, name: span.name, route: span.attributes['http.route'] }).toEqual({ urlPath, name, route });
    }
  });
});

/** As EXPRESS_REQUESTS, for Koa with @koa/router. See test/fixtures/frameworks/koa-app.js. */
const KOA_REQUESTS: Array<[string, number, string, string | undefined]> = [
  ['/users/42', 200, 'GET /users/:id', '/users/:id'],
  // The catch-all on /api passed on, out of its router: the nested router under the /api prefix answers.
  ['/api/items/7', 200, 'GET /api/items/:itemId', '/api/items/:itemId'],
  // /chain/:id passed on to /chain/:name, which answers.
  ['/chain/5', 200, 'GET /chain/:name', '/chain/:name'],
  ['/pair/6', 200, 'GET /pair/:id', '/pair/:id'],
  ['/later/3', 200, 'GET /later/:id', '/later/:id'],
  ['/boom/1', 500, 'GET /boom/:id', '/boom/:id'],
  // Only the catch-all matched, and it passed on: Koa answers 404.
  ['/api/nothing/here', 404, 'GET', undefined],
  ['/api', 404, 'GET', undefined],
  ['/no/such/route/42', 404, 'GET', undefined],
];

describe.each(['koa2', 'koa3'])('%s with @koa/router route names', alias => {
  test(`${alias}: routes, and a nested router under a prefix, name the server span; a route that passed on (a catch-all before a 404) does not, a throw keeps its route`, async () => {
    const service = await start(`${alias}-router`, path.join(FIXTURES, 'koa-app.js'), { KOA_MODULE: alias });
    for (const [urlPath, status, name, route] of KOA_REQUESTS) {
      const span = await serverSpanFor(service, urlPath, status);
      expect({ urlPath, name: span.name, route: span.attributes['http.route'] }).toEqual({ urlPath, name, route });
    }
  });
});

test('Hapi 21: routes, and a plugin under a prefix, name the server span with the {param} template; an unmatched path keeps GET', async () => {
  const service = await start('hapi', path.join(FIXTURES, 'hapi-app.js'));
  await expectRoutes(service, [
    ['/users/42', '/users/{id}'],
    ['/api/items/7', '/api/items/{itemId}'],
  ]);
});

/** Path, status, and the span's name and `http.route` (undefined: the plain method). See test/fixtures/frameworks/hono-routes.js. */
const HONO_REQUESTS: Array<[string, number, string, string | undefined]> = [
  ['/users/42', 200, 'GET /users/:id', '/users/:id'],
  ['/api/items/7', 200, 'GET /api/items/:itemId', '/api/items/:itemId'],
  ['/v1/posts/2024/hello', 200, 'GET /v1/posts/:date{[0-9]+}/:title', '/v1/posts/:date{[0-9]+}/:title'],
  ['/v1/animals', 200, 'GET /v1/animals/:type?', '/v1/animals/:type?'],
  ['/v1/animals/cat', 200, 'GET /v1/animals/:type?', '/v1/animals/:type?'],
  ['/maybe/here', 200, 'GET /maybe/:id', '/maybe/:id'],
  // /files/:name passes on to /files/*, which answers.
  ['/files/a', 200, 'GET /files/*', '/files/*'],
  ['/boom/1', 500, 'GET /boom/:id', '/boom/:id'],
  // Thrown in a sub-app with an error handler of its own.
  ['/api/broken', 502, 'GET /api/broken', '/api/broken'],
  // Middleware on /admin/* answers by itself.
  ['/admin/panel', 401, 'GET', undefined],
  // The only route that matched passed on: the not-found handler answers.
  ['/maybe/elsewhere', 404, 'GET', undefined],
  ['/no/such/route/42', 404, 'GET', undefined],
];

describe.each([
  ['hono-app.js', 'require'],
  ['hono-app.mjs', 'import'],
])('Hono 4 on @hono/node-server (%s)', (fixture, how) => {
  test(`loaded with ${how}: routes, sub-apps, basePath and regex and optional parameters name the span; middleware, a route that passed on and the not-found handler do not; a throw keeps its route`, async () => {
    const service = await start(`hono-${how}`, path.join(FIXTURES, fixture));
    for (const [urlPath, status, name, route] of HONO_REQUESTS) {
      const span = await serverSpanFor(service, urlPath, status);
      expect({ urlPath, name: span.name, route: span.attributes['http.route'] }).toEqual({ urlPath, name, route });
    }
  });
});
