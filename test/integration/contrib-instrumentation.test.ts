/**
 * A contrib instrumentation added the standard OpenTelemetry way: the app's
 * own preload, loaded after tracehop's, calls `registerInstrumentations`
 * from its own @opentelemetry/instrumentation. Here that is
 * @opentelemetry/instrumentation-ioredis against a real redis-server, in a
 * CommonJS app (`node -r tracehop -r ./otel-extra.js app.js`) and in an ES
 * module app (`node --import tracehop/register --import ./otel-extra.mjs
 * app.mjs`). Its spans join the request: children of tracehop's server span,
 * with the request's `request.id` and `request.chain`.
 *
 * The app holds real copies of @opentelemetry/instrumentation and
 * @opentelemetry/instrumentation-ioredis (with the older
 * @opentelemetry/instrumentation nested in it that it depends on), as an app
 * that installs them itself does: other copies than tracehop's, possibly
 * other versions. What they share with tracehop stays linked to the
 * repository's packages: @opentelemetry/api (one global provider) and
 * import-in-the-middle and require-in-the-middle (one hook registry).
 */
import { copyFileSync, realpathSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { copyRepoPackages, installTracehopInTempDir, linkRepoPackages } from '../support/installed-package';
import type { InstalledPackage } from '../support/installed-package';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver';
import { startRedis } from '../support/redis';
import type { RedisServer } from '../support/redis';
import { REGISTER, startService } from '../support/services';
import type { Service } from '../support/services';

jest.setTimeout(60000);

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'contrib-instrumentation');
// OTLP SpanKind numbers.
const SERVER = 2;
const CLIENT = 3;
const IOREDIS_SCOPE = '@opentelemetry/instrumentation-ioredis';

let redis: RedisServer;
let receiver: OtlpReceiver;
let app: InstalledPackage;

beforeAll(async () => {
  // The app's own directory: tracehop installed beside the packages the app adds itself.
  app = installTracehopInTempDir('tracehop-contrib-');
  // Copies, not links: Node resolves a link to the repository's path, and so to tracehop's own packages.
  copyRepoPackages(app.dir, ['@opentelemetry/instrumentation', '@opentelemetry/instrumentation-ioredis']);
  linkRepoPackages(app.dir, [
    'ioredis',
    '@opentelemetry/api',
    'import-in-the-middle',
    'require-in-the-middle',
    // instrumentation-ioredis's other dependencies, plain libraries.
    '@opentelemetry/redis-common',
    '@opentelemetry/semantic-conventions',
  ]);
  for (const file of ['app.js', 'app.mjs', 'otel-extra.js', 'otel-extra.mjs']) copyFileSync(path.join(FIXTURES, file), path.join(app.dir, file));
  [redis, receiver] = await Promise.all([startRedis(), startOtlpReceiver()]);
});

afterAll(async () => {
  await Promise.all([redis?.stop(), receiver?.close()]);
  app?.remove();
});

function visit(url: string, visitor: string): Promise<{ status: number; requestId: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}/visit`, { headers: { 'x-visitor': visitor } }, res => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', chunk => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, requestId: String(res.headers['x-request-id']), body }));
      })
      .on('error', reject);
  });
}

function spansOfRequest(spans: ReceivedSpan[], requestId: string): { server: ReceivedSpan | undefined; redis: ReceivedSpan[] } {
  const ofRequest = spans.filter(span => span.attributes['request.id'] === requestId);
  return {
    server: ofRequest.find(span => span.kind === SERVER),
    redis: ofRequest.filter(span => span.scope === IOREDIS_SCOPE),
  };
}

describe.each([
  { system: 'CommonJS', script: 'app.js', nodeArgs: () => ['-r', REGISTER, '-r', './otel-extra.js'] },
  { system: 'ES module', script: 'app.mjs', nodeArgs: () => ['--import', 'tracehop/register', '--import', './otel-extra.mjs'] },
])('$system app with the ioredis instrumentation in its own preload', ({ system, script, nodeArgs }) => {
  let service: Service;

  beforeAll(async () => {
    service = await startService(
      `contrib-${script}`,
      script,
      {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
        OTEL_BSP_SCHEDULE_DELAY: '50',
        OTEL_SERVICE_NAME: `contrib-${script}`,
        REDIS_PORT: String(redis.port),
      },
      { nodeArgs: nodeArgs(), cwd: app.dir },
    );
  });

  afterAll(async () => {
    await service?.stop();
  });

  test(`${system}: the preload's @opentelemetry/instrumentation and instrumentation-ioredis are the app's own copies`, async () => {
    // Relative to the app's node_modules/@opentelemetry: a path into the repository would start with `..`.
    const appModules = path.join(realpathSync(app.dir), 'node_modules', '@opentelemetry');
    const resolved = await service.waitForLine(line => line.msg === 'otel-extra');
    expect(path.relative(appModules, String(resolved.instrumentation))).toMatch(/^instrumentation[/\\]dist[/\\]index\.[cm]js$/);
    expect(path.relative(appModules, String(resolved.ioredisInstrumentation))).toMatch(/^instrumentation-ioredis[/\\]dist[/\\]index\.[cm]js$/);
  });

  test(`${system}: ioredis is wrapped by the time the app uses it`, async () => {
    const listening = await service.waitForLine(line => line.msg === 'listening');
    expect(listening.wrapped).toBe(true);
  });

  test(`${system}: the Redis commands' client spans are children of the request's server span, with its request.id and request.chain`, async () => {
    const visitor = `visitor-${script}`;
    const answer = await visit(service.url, visitor);
    expect(answer).toMatchObject({ status: 200, body: JSON.stringify({ visits: 1 }) });
    const spans = await receiver.waitForSpans(all => {
      const { server, redis: commands } = spansOfRequest(all, answer.requestId);
      return server !== undefined && commands.length >= 2;
    });
    const { server, redis: commands } = spansOfRequest(spans, answer.requestId);
    expect(server?.service).toBe(`contrib-${script}`);
    expect(commands.map(span => span.name).sort()).toEqual(['get', 'incr']);
    for (const command of commands) {
      expect(command).toMatchObject({ kind: CLIENT, traceId: server?.traceId, parentSpanId: server?.spanId, service: `contrib-${script}` });
      expect(command.attributes).toMatchObject({
        'request.id': answer.requestId,
        'request.chain': server?.attributes['request.chain'],
        'db.system.name': 'redis',
        'server.port': redis.port,
      });
    }
  });
});
