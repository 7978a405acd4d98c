/**
 * Self-check of the end-to-end stack: the Jaeger and collector binaries
 * built from source, test/e2e/jaeger-config.yaml and the published
 * collector-config.yaml. Every other e2e test relies on what is shown here:
 * a trace sent as OTLP reaches Jaeger whole, with its parent links, and can
 * be read back through the query API.
 */
import { randomBytes } from 'node:crypto';
import {
  jaegerApi,
  parentSpanId,
  serviceName,
  startCollector,
  startJaeger,
  validateCollectorConfig,
  type Collector,
  type Jaeger,
  type JaegerTrace,
} from './support/otel-stack';

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

interface SentTrace {
  traceId: string;
  rootId: string;
  childIds: [string, string];
  service: string;
  body: unknown;
}

function stringAttr(key: string, value: string): { key: string; value: { stringValue: string } } {
  return { key, value: { stringValue: value } };
}

/** One OTLP/JSON export: a server span with two children, all with fresh random ids. */
function threeSpanTrace(testCase: string): SentTrace {
  const traceId = hex(16);
  const rootId = hex(8);
  const childIds: [string, string] = [hex(8), hex(8)];
  const service = `tracehop-e2e-${hex(4)}`;
  const startNs = BigInt(Date.now() - 50) * 1_000_000n;
  const at = (offsetMs: number): string => String(startNs + BigInt(offsetMs) * 1_000_000n);
  const span = (spanId: string, parent: string | undefined, name: string, kind: number, from: number, to: number) => ({
    traceId,
    spanId,
    ...(parent ? { parentSpanId: parent } : {}),
    name,
    kind,
    startTimeUnixNano: at(from),
    endTimeUnixNano: at(to),
    attributes: [stringAttr('e2e.case', testCase)],
    status: {},
  });
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [stringAttr('service.name', service)] },
        scopeSpans: [
          {
            scope: { name: 'tracehop-e2e' },
            spans: [
              span(rootId, undefined, 'GET /orders', 2, 0, 40),
              span(childIds[0], rootId, 'load order', 1, 5, 15),
              span(childIds[1], rootId, 'GET inventory', 3, 20, 35),
            ],
          },
        ],
      },
    ],
  };
  return { traceId, rootId, childIds, service, body };
}

async function postOtlpJson(baseUrl: string, body: unknown): Promise<void> {
  const res = await fetch(`${baseUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`OTLP export to ${baseUrl} failed: HTTP ${res.status}: ${text}`);
}

function expectSameTrace(trace: JaegerTrace, sent: SentTrace): void {
  expect(trace.traceID).toBe(sent.traceId);
  expect(trace.spans).toHaveLength(3);
  const byId = new Map(trace.spans.map(s => [s.spanID, s]));
  const root = byId.get(sent.rootId);
  expect(root?.operationName).toBe('GET /orders');
  expect(root && parentSpanId(root)).toBeUndefined();
  for (const childId of sent.childIds) {
    const child = byId.get(childId);
    expect(child).toBeDefined();
    expect(child && parentSpanId(child)).toBe(sent.rootId);
  }
  expect(new Set(trace.spans.map(s => serviceName(trace, s)))).toEqual(new Set([sent.service]));
}

describe('collector-config.yaml', () => {
  test('is valid for the core collector with its defaults', async () => {
    const result = await validateCollectorConfig();
    if (result.code !== 0) throw new Error(`otelcol validate failed:\n${result.output}`);
    expect(result.code).toBe(0);
  });

  test('is valid with every environment override set', async () => {
    const result = await validateCollectorConfig({
      TRACEHOP_COLLECTOR_GRPC_ENDPOINT: '127.0.0.1:14317',
      TRACEHOP_COLLECTOR_HTTP_ENDPOINT: '127.0.0.1:14318',
      TRACEHOP_JAEGER_ENDPOINT: 'jaeger.example.internal:4317',
      TRACEHOP_JAEGER_INSECURE: 'false',
      TRACEHOP_JAEGER_CA_FILE: '/etc/ssl/certs/ca-certificates.crt',
      TRACEHOP_COLLECTOR_EXPORTERS: '[otlp/jaeger, debug]',
      TRACEHOP_COLLECTOR_DEBUG_VERBOSITY: 'detailed',
      TRACEHOP_COLLECTOR_LOG_LEVEL: 'debug',
      TRACEHOP_COLLECTOR_METRICS_HOST: '127.0.0.1',
      TRACEHOP_COLLECTOR_METRICS_PORT: '18888',
    });
    if (result.code !== 0) throw new Error(`otelcol validate failed:\n${result.output}`);
    expect(result.code).toBe(0);
  });

  test('is rejected when the exporter list names an unknown exporter', async () => {
    const result = await validateCollectorConfig({ TRACEHOP_COLLECTOR_EXPORTERS: '[otlp/jaeger, nonexistent]' });
    expect(result.code).not.toBe(0);
  });
});

describe('Jaeger and collector built from source', () => {
  let jaeger: Jaeger | undefined;
  let collector: Collector | undefined;

  /** Runs a test body; a failure carries both programs' output. */
  async function withLogs(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (err) {
      const logs = [`--- jaeger output ---\n${jaeger?.logs() ?? '(not started)'}`, `--- collector output ---\n${collector?.logs() ?? '(not started)'}`].join(
        '\n',
      );
      if (err instanceof Error) {
        err.message = `${err.message}\n${logs}`;
        throw err;
      }
      throw new Error(`${String(err)}\n${logs}`);
    }
  }

  beforeAll(async () => {
    jaeger = await startJaeger();
    collector = await startCollector({ jaegerOtlpGrpcEndpoint: jaeger.otlpGrpcEndpoint });
  }, 90_000);

  afterAll(async () => {
    await collector?.stop();
    await jaeger?.stop();
  });

  test('a trace sent to the collector reaches Jaeger with its 3 spans and parent links', () =>
    withLogs(async () => {
      const sent = threeSpanTrace('via-collector');
      await postOtlpJson(collector!.otlpHttpUrl, sent.body);

      const api = jaegerApi(jaeger!.queryUrl);
      const trace = await api.waitForTrace(sent.traceId, t => t.spans.length >= 3, 20_000);
      expectSameTrace(trace, sent);

      expect(await api.getServices()).toContain(sent.service);
      const found = await api.findTraces(sent.service, { 'e2e.case': 'via-collector' });
      expect(found.map(t => t.traceID)).toContain(sent.traceId);
      expect(await api.findTraces(sent.service, { 'e2e.case': 'something-else' })).toEqual([]);
    }));

  test("a trace sent straight to Jaeger's OTLP/HTTP port is stored the same way", () =>
    withLogs(async () => {
      const sent = threeSpanTrace('direct');
      await postOtlpJson(jaeger!.otlpHttpUrl, sent.body);

      const api = jaegerApi(jaeger!.queryUrl);
      const trace = await api.waitForTrace(sent.traceId, t => t.spans.length >= 3, 10_000);
      expectSameTrace(trace, sent);
    }));

  test('an unknown trace id reads as null', () =>
    withLogs(async () => {
      expect(await jaegerApi(jaeger!.queryUrl).getTrace(hex(16))).toBeNull();
    }));
});
