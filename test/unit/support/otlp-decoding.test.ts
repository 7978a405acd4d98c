/**
 * The test-support OTLP decoders and receiver are only trustworthy if they read what
 * the real OpenTelemetry JS serializers and exporters write, so every check here
 * starts from spans produced by the SDK rather than from hand-written expectations.
 */
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type HrTime } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { decodeJsonExportTraceServiceRequest } from '../../support/otlp-json';
import { decodeExportTraceServiceRequest, type ReceivedSpan } from '../../support/otlp-protobuf';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver';

const SERVICE = 'decoder-test-service';
const SCOPE = 'decoder-test-scope';
const SCOPE_VERSION = '1.2.3';
const REMOTE_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const REMOTE_SPAN_ID = 'b7ad6b7169203331';

/** The attribute types the OTLP AnyValue can carry from the JS SDK, including int64 edge cases. */
const RICH_ATTRIBUTES: Attributes = {
  'test.string': 'héllo ✓',
  'test.int': 42,
  'test.int.negative': -7,
  'test.int.large': 2 ** 40 + 1,
  'test.bool': true,
  'test.bool.false': false,
  'test.double': 3.25,
  'test.string.array': ['a', 'b'],
  'test.int.array': [1, -2, 3],
  'test.double.array': [0.5, 1.5],
  'test.bool.array': [true, false],
  'test.array.with.null': ['x', null, 'y'],
};

function hrTimeToNanos([seconds, nanos]: HrTime): bigint {
  return BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
}

/** SDK span kinds count from 0 (INTERNAL); OTLP reserves 0 for UNSPECIFIED. */
function otlpKind(kind: SpanKind): number {
  return kind + 1;
}

/** What the decoders should report for a span, derived only from the SDK's own view of it. */
function expectedFromSdk(span: ReadableSpan): Omit<ReceivedSpan, 'flags'> {
  const ctx = span.spanContext();
  return {
    service: SERVICE,
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: otlpKind(span.kind),
    startTimeUnixNano: hrTimeToNanos(span.startTime),
    endTimeUnixNano: hrTimeToNanos(span.endTime),
    attributes: { ...span.attributes } as ReceivedSpan['attributes'],
    links: span.links.map(link => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      attributes: { ...link.attributes },
    })),
    events: span.events.map(event => ({
      name: event.name,
      timeUnixNano: hrTimeToNanos(event.time),
      attributes: { ...event.attributes } as ReceivedSpan['attributes'],
    })),
    statusCode: span.status.code,
    statusMessage: span.status.message ?? '',
    traceState: ctx.traceState?.serialize() ?? '',
    scope: SCOPE,
    scopeVersion: SCOPE_VERSION,
  };
}

function withoutFlags(span: ReceivedSpan): Omit<ReceivedSpan, 'flags'> {
  const { flags: _flags, ...rest } = span;
  return rest;
}

/** Ends a small trace covering every span kind, a parent/child pair, a link, an event, an error status and a remote parent. */
function recordSampleSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE, 'deployment.environment': 'unit' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer(SCOPE, SCOPE_VERSION);

  const server = tracer.startSpan('GET /orders', { kind: SpanKind.SERVER, attributes: RICH_ATTRIBUTES });
  const serverContext = trace.setSpan(ROOT_CONTEXT, server);

  const client = tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT }, serverContext);
  client.addEvent('rows.fetched', { 'db.rows': 3, 'db.cached': false });
  client.setStatus({ code: SpanStatusCode.ERROR, message: 'statement timeout' });
  client.end();

  const producer = tracer.startSpan('orders publish', { kind: SpanKind.PRODUCER }, serverContext);
  producer.end();

  const internal = tracer.startSpan('render', { kind: SpanKind.INTERNAL }, serverContext);
  internal.setStatus({ code: SpanStatusCode.OK });
  internal.end();
  server.end();

  const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: REMOTE_TRACE_ID,
    spanId: REMOTE_SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState('vendor=abc,other=1'),
  });
  const consumer = tracer.startSpan(
    'orders process',
    {
      kind: SpanKind.CONSUMER,
      links: [{ context: server.spanContext(), attributes: { 'link.reason': 'batch', 'link.index': 0 } }],
    },
    remoteParent,
  );
  consumer.end();

  return memory.getFinishedSpans();
}

function serializeOrFail(serializer: typeof ProtobufTraceSerializer, spans: ReadableSpan[]): Uint8Array {
  const bytes = serializer.serializeRequest(spans);
  if (bytes === undefined) throw new Error('serializer returned undefined');
  return bytes;
}

function parseJson(bytes: Uint8Array): unknown {
  return JSON.parse(Buffer.from(bytes).toString('utf8'));
}

/** Minimal protobuf writer, only to hand-craft bodies with fields the real serializer never emits. */
const wire = {
  varint(value: bigint): number[] {
    const out: number[] = [];
    let v = BigInt.asUintN(64, value);
    while (v > 0x7fn) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    return out;
  },
  tag(field: number, wireType: number): number[] {
    return wire.varint(BigInt(field * 8 + wireType));
  },
  len(field: number, payload: number[] | Uint8Array): number[] {
    return [...wire.tag(field, 2), ...wire.varint(BigInt(payload.length)), ...payload];
  },
  str(field: number, text: string): number[] {
    return wire.len(field, new TextEncoder().encode(text));
  },
  hex(field: number, hex: string): number[] {
    return wire.len(field, Buffer.from(hex, 'hex'));
  },
};

describe('OTLP trace decoders against the real OpenTelemetry serializers', () => {
  let sdkSpans: ReadableSpan[];
  let protobufBytes: Uint8Array;
  let jsonBody: unknown;

  beforeAll(() => {
    sdkSpans = recordSampleSpans();
    protobufBytes = serializeOrFail(ProtobufTraceSerializer, sdkSpans);
    jsonBody = parseJson(serializeOrFail(JsonTraceSerializer, sdkSpans));
  });

  test('the sample covers all five span kinds, a parent/child pair, a link and a remote parent', () => {
    expect(sdkSpans.map(s => s.kind).sort()).toEqual([SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER].sort());
    expect(sdkSpans.filter(s => s.parentSpanContext === undefined)).toHaveLength(1);
    expect(sdkSpans.some(s => s.links.length === 1)).toBe(true);
    expect(sdkSpans.some(s => s.parentSpanContext?.isRemote === true)).toBe(true);
  });

  test('protobuf decoder reproduces ids, parents, names, kinds, times, attributes, events, links and status of ProtobufTraceSerializer output', () => {
    const resources = decodeExportTraceServiceRequest(protobufBytes);
    const decoded = resources.flatMap(r => r.spans);
    expect(decoded.map(withoutFlags)).toEqual(sdkSpans.map(expectedFromSdk));
  });

  test('JSON decoder reproduces ids, parents, names, kinds, times, attributes, events, links and status of JsonTraceSerializer output', () => {
    const resources = decodeJsonExportTraceServiceRequest(jsonBody);
    const decoded = resources.flatMap(r => r.spans);
    expect(decoded.map(withoutFlags)).toEqual(sdkSpans.map(expectedFromSdk));
  });

  test('protobuf and JSON decoding of the same spans are identical, span flags included', () => {
    expect(decodeJsonExportTraceServiceRequest(jsonBody)).toEqual(decodeExportTraceServiceRequest(protobufBytes));
  });

  test('decoded ids are lowercase hex of OTLP length and root spans have no parent id', () => {
    const decoded = decodeExportTraceServiceRequest(protobufBytes).flatMap(r => r.spans);
    for (const span of decoded) {
      expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
      if (span.parentSpanId !== undefined) expect(span.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(decoded.find(s => s.name === 'GET /orders')?.parentSpanId).toBeUndefined();
    expect(decoded.find(s => s.name === 'orders process')?.parentSpanId).toBe(REMOTE_SPAN_ID);
  });

  test('span flags carry the sampled bit and mark the span whose parent is remote', () => {
    const decoded = decodeExportTraceServiceRequest(protobufBytes).flatMap(r => r.spans);
    const consumer = decoded.find(s => s.name === 'orders process');
    const server = decoded.find(s => s.name === 'GET /orders');
    expect((consumer?.flags ?? 0) & 0xff).toBe(TraceFlags.SAMPLED);
    // Bits 8 and 9 of OTLP span flags: "is-remote known" and "parent is remote".
    expect((consumer?.flags ?? 0) & 0x300).toBe(0x300);
    expect((server?.flags ?? 0) & 0x200).toBe(0);
  });

  test('the resource is decoded once with its attributes and service.name is copied onto every span', () => {
    const resources = decodeExportTraceServiceRequest(protobufBytes);
    expect(resources).toHaveLength(1);
    expect(resources[0].service).toBe(SERVICE);
    expect(resources[0].resourceAttributes).toMatchObject({
      'service.name': SERVICE,
      'deployment.environment': 'unit',
    });
    expect(new Set(resources[0].spans.map(s => s.service))).toEqual(new Set([SERVICE]));
  });

  test('protobuf decoder skips unknown fields of every wire type, groups and known fields with the wrong wire type', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const spanId = '00f067aa0ba902b7';
    const attribute = wire.len(9, [...wire.str(1, 'neg'), ...wire.len(2, [...wire.tag(3, 0), ...wire.varint(-5n)])]);
    const span = [
      ...wire.hex(1, traceId),
      ...wire.tag(40, 0),
      ...wire.varint(2n ** 63n + 5n),
      ...wire.hex(2, spanId),
      ...wire.tag(41, 1),
      ...[1, 2, 3, 4, 5, 6, 7, 8],
      // Field 5 (name) sent as a varint is not the string the schema declares, so it must be skipped.
      ...wire.tag(5, 0),
      ...wire.varint(300n),
      ...wire.str(5, 'crafted'),
      ...wire.tag(42, 5),
      ...[9, 9, 9, 9],
      ...wire.str(43, 'ignored'),
      ...wire.tag(44, 3),
      ...wire.tag(1, 0),
      ...wire.varint(1n),
      ...wire.str(2, 'inside group'),
      ...wire.tag(44, 4),
      ...wire.tag(6, 0),
      ...wire.varint(2n),
      ...attribute,
    ];
    const scopeSpans = [...wire.len(2, span), ...wire.len(1, wire.str(1, 'crafted-scope'))];
    const resource = wire.len(1, wire.len(1, [...wire.str(1, 'service.name'), ...wire.len(2, wire.str(1, 'svc'))]));
    const request = new Uint8Array([
      ...wire.len(1, [...resource, ...wire.len(2, scopeSpans), ...wire.str(99, 'future')]),
      ...wire.tag(100, 1),
      ...[0, 0, 0, 0, 0, 0, 0, 0],
    ]);

    const [decoded] = decodeExportTraceServiceRequest(request).flatMap(r => r.spans);
    expect(decoded).toMatchObject({
      service: 'svc',
      scope: 'crafted-scope',
      traceId,
      spanId,
      parentSpanId: undefined,
      name: 'crafted',
      kind: 2,
      attributes: { neg: -5 },
    });
  });

  test('protobuf decoder throws on a truncated body instead of returning partial spans', () => {
    expect(() => decodeExportTraceServiceRequest(protobufBytes.subarray(0, protobufBytes.length - 3))).toThrow(/truncated/);
  });

  test('JSON decoder accepts intValue and timestamps as decimal strings, uppercase hex ids and an empty parentSpanId', () => {
    const [decoded] = decodeJsonExportTraceServiceRequest({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json-svc' } }] },
          scopeSpans: [
            {
              scope: { name: 'json-scope' },
              spans: [
                {
                  traceId: '4BF92F3577B34DA6A3CE929D0E0E4736',
                  spanId: '00F067AA0BA902B7',
                  parentSpanId: '',
                  name: 'json span',
                  kind: 3,
                  startTimeUnixNano: '1700000000123456789',
                  endTimeUnixNano: '1700000000223456789',
                  attributes: [
                    { key: 'big', value: { intValue: '1234567890123' } },
                    { key: 'small', value: { intValue: '-12' } },
                    { key: 'nan', value: { doubleValue: 'NaN' } },
                  ],
                  status: { code: 2 },
                },
              ],
            },
          ],
        },
      ],
    }).flatMap(r => r.spans);
    expect(decoded).toMatchObject({
      service: 'json-svc',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: undefined,
      kind: 3,
      startTimeUnixNano: 1700000000123456789n,
      statusCode: 2,
      scope: 'json-scope',
      attributes: { big: 1234567890123, small: -12, nan: NaN },
    });
  });
});

/**
 * The OTLP exporters load `http` with a dynamic `import()`, which Jest's CommonJS
 * sandbox refuses unless Node runs with --experimental-vm-modules. Exporting from a
 * plain child process avoids that and is also how tracehop's exporters really run:
 * in another process than the receiver.
 */
const EXPORTING_CHILD = `
const { trace, ROOT_CONTEXT, SpanKind } = require('@opentelemetry/api');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { TracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace');
const { OTLPTraceExporter } = require(process.env.EXPORTER_PACKAGE);
const exporter = new OTLPTraceExporter({ url: process.env.TRACES_URL, compression: process.env.COMPRESSION });
const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': process.env.SERVICE }),
  spanProcessors: [new SimpleSpanProcessor({ exporter: exporter })],
});
const tracer = provider.getTracer('receiver-test');
const parent = tracer.startSpan('parent', { kind: SpanKind.SERVER, attributes: { 'test.n': 1 } });
const child = tracer.startSpan('child', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, parent));
child.end();
parent.end();
provider.shutdown().then(
  () => {
    process.stdout.write(JSON.stringify({
      traceId: parent.spanContext().traceId,
      parentSpanId: parent.spanContext().spanId,
      childSpanId: child.spanContext().spanId,
    }));
    // The exporter's keep-alive agent would otherwise hold the process open until the server times it out.
    process.exit(0);
  },
  (error) => { console.error(error); process.exit(1); },
);
`;

interface ChildIds {
  traceId: string;
  parentSpanId: string;
  childSpanId: string;
}

function exportFromChild(env: Record<string, string>): Promise<ChildIds> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', EXPORTING_CHILD],
      { cwd: path.resolve(__dirname, '../../..'), env: { ...process.env, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`exporting child failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as ChildIds);
      },
    );
  });
}

describe('OTLP receiver fed by the real OTLP/HTTP exporters', () => {
  let receiver: OtlpReceiver;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });

  afterAll(async () => {
    await receiver.close();
  });

  async function expectParentAndChildFrom(exporterPackage: string, service: string, compression = 'none') {
    const ids = await exportFromChild({
      EXPORTER_PACKAGE: exporterPackage,
      TRACES_URL: receiver.tracesUrl,
      SERVICE: service,
      COMPRESSION: compression,
    });
    const spans = await receiver.waitForSpans(all => all.filter(s => s.service === service).length >= 2);
    const own = spans.filter(s => s.service === service);
    expect(own.find(s => s.name === 'parent')).toMatchObject({
      traceId: ids.traceId,
      spanId: ids.parentSpanId,
      parentSpanId: undefined,
      kind: 2,
      attributes: { 'test.n': 1 },
      scope: 'receiver-test',
    });
    expect(own.find(s => s.name === 'child')).toMatchObject({
      traceId: ids.traceId,
      spanId: ids.childSpanId,
      parentSpanId: ids.parentSpanId,
      kind: 3,
    });
  }

  test('spans exported by exporter-trace-otlp-proto arrive decoded with their parent link', async () => {
    await expectParentAndChildFrom('@opentelemetry/exporter-trace-otlp-proto', 'proto-exporter-service');
    expect(receiver.contentTypes).toContain('application/x-protobuf');
  });

  test('spans exported by exporter-trace-otlp-http arrive decoded from OTLP/JSON with their parent link', async () => {
    await expectParentAndChildFrom('@opentelemetry/exporter-trace-otlp-http', 'json-exporter-service');
    expect(receiver.contentTypes).toContain('application/json');
  });

  test('gzip-compressed exports from the protobuf exporter are decompressed before decoding', async () => {
    await expectParentAndChildFrom('@opentelemetry/exporter-trace-otlp-proto', 'gzip-exporter-service', 'gzip');
    expect(receiver.contentEncodings).toContain('gzip');
    expect(receiver.errors).toEqual([]);
  });

  test('waitForSpans resolves at once when spans already received satisfy the predicate', async () => {
    await receiver.waitForSpans(all => all.some(s => s.service === 'proto-exporter-service'));
    const spans = await receiver.waitForSpans(all => all.some(s => s.service === 'proto-exporter-service'), 1);
    expect(spans.length).toBe(receiver.spans.length);
  });

  test('waitForSpans rejects after its timeout with a summary of the spans that did arrive', async () => {
    await receiver.waitForSpans(all => all.length > 0);
    await expect(receiver.waitForSpans(all => all.some(s => s.name === 'never sent'), 50)).rejects.toThrow(/did not match within 50 ms[\s\S]*"parent"/);
  });
});

describe('OTLP receiver request handling', () => {
  function post(
    url: string,
    body: Uint8Array,
    headers: http.OutgoingHttpHeaders,
    agent?: http.Agent,
  ): Promise<{ status: number; contentType: string | undefined; body: string }> {
    return new Promise((resolve, reject) => {
      const request = http.request(url, { method: 'POST', headers, agent }, response => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers['content-type'],
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  let spans: ReadableSpan[];
  let receiver: OtlpReceiver | undefined;

  beforeAll(() => {
    spans = recordSampleSpans();
  });

  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  test('answers protobuf exports with 200 and an empty application/x-protobuf body', async () => {
    receiver = await startOtlpReceiver();
    const response = await post(receiver.tracesUrl, serializeOrFail(ProtobufTraceSerializer, spans), {
      'content-type': 'application/x-protobuf',
    });
    expect(response).toEqual({ status: 200, contentType: 'application/x-protobuf', body: '' });
    expect(receiver.spans).toHaveLength(spans.length);
    expect(receiver.requests).toBe(1);
  });

  test('answers gzipped JSON exports with 200 and {} as application/json', async () => {
    receiver = await startOtlpReceiver();
    const body = zlib.gzipSync(serializeOrFail(JsonTraceSerializer, spans));
    const response = await post(receiver.tracesUrl, body, {
      'content-type': 'application/json; charset=utf-8',
      'content-encoding': 'gzip',
    });
    expect(response).toEqual({ status: 200, contentType: 'application/json', body: '{}' });
    expect(receiver.spans.map(s => s.spanId).sort()).toEqual(spans.map(s => s.spanContext().spanId).sort());
    expect(receiver.contentTypes).toEqual(['application/json']);
    expect(receiver.contentEncodings).toEqual(['gzip']);
  });

  test('a configured status is returned for every export and the spans are not stored', async () => {
    receiver = await startOtlpReceiver({ status: 503 });
    const response = await post(receiver.tracesUrl, serializeOrFail(ProtobufTraceSerializer, spans), {
      'content-type': 'application/x-protobuf',
    });
    expect(response.status).toBe(503);
    expect(receiver.requests).toBe(1);
    expect(receiver.spans).toEqual([]);
  });

  test('unsupported content types are refused with 415 and recorded as errors', async () => {
    receiver = await startOtlpReceiver();
    const response = await post(receiver.tracesUrl, new TextEncoder().encode('hello'), {
      'content-type': 'text/plain',
    });
    expect(response.status).toBe(415);
    expect(receiver.errors).toEqual([expect.stringMatching(/unsupported content-type text\/plain/)]);
  });

  test('undecodable protobuf bodies are refused with 400', async () => {
    receiver = await startOtlpReceiver();
    const response = await post(receiver.tracesUrl, new Uint8Array([0x0a, 0x05, 0x01]), {
      'content-type': 'application/x-protobuf',
    });
    expect(response.status).toBe(400);
    expect(receiver.spans).toEqual([]);
  });

  test('paths other than /v1/traces get 404 and do not count as export requests', async () => {
    receiver = await startOtlpReceiver();
    const response = await post(receiver.url + '/v1/metrics', new Uint8Array(), {
      'content-type': 'application/x-protobuf',
    });
    expect(response.status).toBe(404);
    expect(receiver.requests).toBe(0);
  });

  test('close() drops idle keep-alive connections instead of waiting for them to time out', async () => {
    const agent = new http.Agent({ keepAlive: true });
    try {
      const own = await startOtlpReceiver();
      await post(
        own.tracesUrl,
        serializeOrFail(ProtobufTraceSerializer, spans),
        {
          'content-type': 'application/x-protobuf',
        },
        agent,
      );
      const started = Date.now();
      await own.close();
      // Node's default keepAliveTimeout is 5 s; a close that waited for it would take that long.
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      agent.destroy();
    }
  });

  test('close() also ends a connection whose export body is still being received', async () => {
    const own = await startOtlpReceiver();
    const request = http.request(own.tracesUrl, {
      method: 'POST',
      // 100-continue makes the server acknowledge the headers, so the request is known to be in progress.
      headers: { 'content-type': 'application/x-protobuf', 'content-length': '1000', expect: '100-continue' },
    });
    const ended = new Promise<void>(resolve => {
      request.on('error', () => resolve());
      request.on('close', () => resolve());
    });
    await new Promise<void>(resolve => {
      request.on('continue', () => resolve());
      request.flushHeaders();
    });
    request.write(new Uint8Array(10));
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await ended;
  });

  test('close() rejects waits that are still pending', async () => {
    const own = await startOtlpReceiver();
    const pending = own.waitForSpans(() => false, 10_000);
    await own.close();
    await expect(pending).rejects.toThrow(/closed/);
  });
});
