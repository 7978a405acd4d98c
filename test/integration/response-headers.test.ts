/**
 * The response headers tracehop adds, over real framework servers: the
 * request id survives frameworks that reset headers (Koa 2 and 3 on a thrown
 * error and on ctx.throw), Access-Control-Expose-Headers is appended when a
 * request has an Origin, and Server-Timing carries the server span's
 * traceparent, appended to the app's own metrics; none of them twice.
 */
import http from 'node:http';
import path from 'node:path';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { startService } from '../support/services';
import type { Service } from '../support/services';

jest.setTimeout(60000);

const APP = path.join(__dirname, '..', 'fixtures', 'response-headers-app.js');
const ORIGIN = { origin: 'https://shop.example' };
const TIMING = /traceparent;desc="00-([0-9a-f]{32})-([0-9a-f]{16})-01"/;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  raw: string[];
}

function get(port: number, urlPath: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, headers }, res => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: res.rawHeaders }));
      })
      .on('error', reject);
  });
}

/** How many times a header name appears in the raw response head. */
function occurrences(answer: Answer, name: string): number {
  return answer.raw.filter((value, i) => i % 2 === 0 && value.toLowerCase() === name.toLowerCase()).length;
}

function exposed(answer: Answer): string[] {
  return String(answer.headers['access-control-expose-headers'] ?? '')
    .split(',')
    .map(s => s.trim().toLowerCase())
    .filter(Boolean);
}

async function start(env: Record<string, string> = {}): Promise<{ service: Service; ports: Record<string, number> }> {
  const service = await startService('response-headers-app', APP, {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
    OTEL_BSP_SCHEDULE_DELAY: '50',
    ...env,
  });
  const line = await service.waitForLine(l => l.msg === 'listening');
  return { service, ports: line as unknown as Record<string, number> };
}

let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});

afterAll(async () => {
  await receiver?.close();
});

describe('with the defaults', () => {
  let service: Service;
  let ports: Record<string, number>;

  beforeAll(async () => {
    ({ service, ports } = await start());
  });

  afterAll(async () => {
    await service?.stop();
  });

  describe.each(['koa2', 'koa3'])('%s', app => {
    test.each([
      ['a handler that throws', '/throw', 500],
      ['ctx.throw(401)', '/unauthorized', 401],
      ['a normal answer', '/ok', 200],
    ])('%s answers with one X-Request-ID and one Server-Timing traceparent', async (_title, urlPath, status) => {
      const answer = await get(ports[app], urlPath, ORIGIN);
      expect(answer.status).toBe(status);
      expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(occurrences(answer, 'x-request-id')).toBe(1);
      const timing = TIMING.exec(String(answer.headers['server-timing']));
      expect(timing?.[1]).toBe(String(answer.headers['x-request-id']).replace(/-/g, ''));
      expect(exposed(answer)).toEqual(['x-request-id', 'server-timing']);
    });
  });

  test("the server span id in Server-Timing is the exported server span's", async () => {
    const answer = await get(ports.koa3, '/throw');
    const [, traceId, spanId] = TIMING.exec(String(answer.headers['server-timing'])) ?? [];
    const spans = await receiver.waitForSpans(all => all.some(s => s.traceId === traceId));
    expect(spans.find(s => s.traceId === traceId)?.spanId).toBe(spanId);
  });

  test('with the cors package on Express, our names are appended to its exposed headers', async () => {
    const answer = await get(ports.express, '/items', ORIGIN);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(exposed(answer)).toEqual(['x-total-count', 'x-request-id', 'server-timing']);
    expect(occurrences(answer, 'access-control-expose-headers')).toBe(1);
  });

  test('a request without Origin gets no Access-Control-Expose-Headers from tracehop', async () => {
    const answer = await get(ports.koa3, '/ok');
    expect(answer.headers['access-control-expose-headers']).toBeUndefined();
    expect(answer.headers['server-timing']).toMatch(TIMING);
  });

  test("a hand-written expose list that already names the request id gets only what it lacks, and the app's Server-Timing is kept", async () => {
    const answer = await get(ports.plain, '/set-header', ORIGIN);
    expect(exposed(answer)).toEqual(['x-page', 'x-request-id', 'server-timing']);
    const timing = String(answer.headers['server-timing']);
    expect(timing.startsWith('cache;desc="hit", db;dur=12, traceparent;desc="00-')).toBe(true);
    expect(timing.match(/traceparent/g)).toHaveLength(1);
  });

  test('headers passed to writeHead are appended to as well', async () => {
    const answer = await get(ports.plain, '/write-head', ORIGIN);
    expect(exposed(answer)).toEqual(['x-page', 'x-request-id', 'server-timing']);
    expect(String(answer.headers['server-timing'])).toMatch(/^db;dur=53, traceparent;desc="00-/);
    expect(answer.headers['x-request-id']).toBeDefined();
  });
});

describe('with TRACEHOP_CORS_EXPOSE_HEADERS=false and TRACEHOP_SERVER_TIMING=false', () => {
  let service: Service;
  let ports: Record<string, number>;

  beforeAll(async () => {
    ({ service, ports } = await start({ TRACEHOP_CORS_EXPOSE_HEADERS: 'false', TRACEHOP_SERVER_TIMING: 'false' }));
  });

  afterAll(async () => {
    await service?.stop();
  });

  test("the app's headers are left as they are, and the request id still survives Koa's error handler", async () => {
    const [items, koa] = await Promise.all([get(ports.express, '/items', ORIGIN), get(ports.koa2, '/throw', ORIGIN)]);
    expect(exposed(items)).toEqual(['x-total-count']);
    expect(items.headers['server-timing']).toBeUndefined();
    expect(koa.headers['x-request-id']).toBeDefined();
    expect(koa.headers['access-control-expose-headers']).toBeUndefined();
    expect(koa.headers['server-timing']).toBeUndefined();
  });
});

describe('with TRACEHOP_SERVER_SPAN=instrumentation-http', () => {
  let service: Service;
  let ports: Record<string, number>;

  beforeAll(async () => {
    ({ service, ports } = await start({ TRACEHOP_SERVER_SPAN: 'instrumentation-http' }));
  });

  afterAll(async () => {
    await service?.stop();
  });

  test("Koa's error answer keeps the request id and the Server-Timing traceparent", async () => {
    const answer = await get(ports.koa3, '/unauthorized', ORIGIN);
    expect(answer.status).toBe(401);
    expect(answer.headers['x-request-id']).toBeDefined();
    expect(answer.headers['server-timing']).toMatch(TIMING);
    expect(exposed(answer)).toEqual(['x-request-id', 'server-timing']);
  });
});
