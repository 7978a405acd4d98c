/**
 * tracehop's span encoder must write, for any batch, exactly the bytes the
 * OpenTelemetry protobuf serializer writes. Every case starts from spans the
 * real SDK made; each batch is encoded twice (the second time through the
 * encoder's caches) and compared byte for byte, then decoded by tracehop's
 * own OTLP reader.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type Link } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanLimits } from '@opentelemetry/sdk-trace';
import { encodeTraceRequest, tracehopTraceSerializer } from '../../../src/export';
import { SpanStandIns } from '../../../src/otlp/encoded-span';
import { writeSpan } from '../../../src/otlp/encode-spans';
import { decodeExportTraceServiceRequest } from '../../../src/otlp/decode-protobuf';

const REMOTE_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const REMOTE_SPAN_ID = 'b7ad6b7169203331';

interface Recorder {
  tracer(name: string, version?: string, schemaUrl?: string): ReturnType<TracerProvider['getTracer']>;
  spans(): ReadableSpan[];
}

/** A provider with its own resource whose finished spans are kept in memory. */
function recorder(resource: Resource = resourceFromAttributes({ 'service.name': 'encoder-test' }), spanLimits?: SpanLimits): Recorder {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource, spanLimits, spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  return {
    tracer: (name, version, schemaUrl) => provider.getTracer(name, version, { schemaUrl }),
    spans: () => memory.getFinishedSpans(),
  };
}

/** One ended span with `attributes`, from a fresh provider. */
function spanWith(attributes: Attributes, name = 'span'): ReadableSpan[] {
  const r = recorder();
  r.tracer('scope').startSpan(name, { attributes }).end();
  return r.spans();
}

const remoteParent = (traceState?: TraceState) =>
  trace.setSpanContext(ROOT_CONTEXT, {
    traceId: REMOTE_TRACE_ID,
    spanId: REMOTE_SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState,
  });

const cases: Array<[string, () => ReadableSpan[]]> = [
  ['an empty batch', () => []],
  [
    'string attributes: ASCII, empty, non-ASCII, emoji, lone surrogates',
    () =>
      spanWith({
        ascii: 'GET',
        empty: '',
        latin: 'héllo',
        cjk: '你好世界',
        emoji: '😀 ok',
        'lone.high': 'a\ud800b',
        'lone.low': '\udc00',
        'lone.end': 'x\ud83d',
        'long.non.ascii': 'é'.repeat(45),
        ключ: 'значение',
      }),
  ],
  [
    'strings at the edges of the one-byte lengths: 41 to 45 three-byte characters, long keys',
    () =>
      spanWith({
        'euro.41': '€'.repeat(41),
        'euro.42': '€'.repeat(42),
        'euro.43': '€'.repeat(43),
        'euro.45': '€'.repeat(45),
        'emoji.21': '😀'.repeat(21),
        ['k'.repeat(60)]: '€'.repeat(41),
        ['l'.repeat(61)]: 'short',
        ['m'.repeat(130)]: 'x',
        'ascii.42': 'a'.repeat(42),
      }),
  ],
  [
    'strings of 128 and more bytes, and of 16,384 and more (two- and three-byte lengths)',
    () =>
      spanWith(
        {
          'ascii.127': 'a'.repeat(127),
          'ascii.128': 'a'.repeat(128),
          'ascii.300': 'b'.repeat(300),
          'utf8.200': 'ü'.repeat(100),
          'ascii.16384': 'c'.repeat(16_384),
          'utf8.20000': '€'.repeat(7_000),
          'emoji.long': '😀'.repeat(5_000),
        },
        'n'.repeat(200),
      ),
  ],
  [
    'booleans and integers, negative and beyond 2^53',
    () =>
      spanWith({
        yes: true,
        no: false,
        zero: 0,
        'negative.zero': -0,
        small: 7,
        byte: 127,
        'two.bytes': 128,
        port: 51234,
        'u32.max': 0xffffffff,
        'u32.over': 2 ** 32,
        negative: -1,
        'negative.large': -(2 ** 40) - 3,
        'beyond.2^53': 2 ** 60,
        'safe.max': Number.MAX_SAFE_INTEGER,
        'int64.min': -(2 ** 63),
        'int64.over': 2 ** 63,
      }),
  ],
  ['doubles, NaN and infinities', () => spanWith({ pi: 3.14159, tiny: 5e-324, negative: -0.5, nan: NaN, inf: Infinity, ninf: -Infinity, big: 1.5e300 })],
  [
    'arrays of each type, empty, and with null entries',
    () =>
      spanWith({
        strings: ['a', 'é', '', '😀'],
        ints: [1, -2, 2 ** 60],
        doubles: [0.5, NaN],
        bools: [true, false],
        empty: [],
        'with.null': ['x', null, 'y'],
        'long.array': Array.from({ length: 200 }, (_, i) => `item-${i}`),
      }),
  ],
  [
    'a span of every kind, with a local parent',
    () => {
      const r = recorder();
      const tracer = r.tracer('kinds', '1.0.0');
      const root = tracer.startSpan('root', { kind: SpanKind.SERVER });
      const context = trace.setSpan(ROOT_CONTEXT, root);
      for (const kind of [SpanKind.INTERNAL, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER]) tracer.startSpan(`kind ${kind}`, { kind }, context).end();
      root.end();
      return r.spans();
    },
  ],
  [
    'a remote parent with a trace state, and one with an empty trace state',
    () => {
      const r = recorder();
      const tracer = r.tracer('remote');
      tracer.startSpan('from remote', { kind: SpanKind.SERVER }, remoteParent(new TraceState('vendor=opaque,other=1'))).end();
      tracer.startSpan('remote, empty trace state', {}, remoteParent(new TraceState(''))).end();
      return r.spans();
    },
  ],
  [
    'events with and without attributes, an empty name, and an exception',
    () => {
      const r = recorder();
      const span = r.tracer('events').startSpan('with events');
      span.addEvent('plain');
      span.addEvent('', { 'db.rows': 3, ok: false, list: ['a'] });
      span.addEvent('at a time', { when: 'then' }, [1_700_000_000, 123_456_789]);
      span.recordException(new Error('boom: ünïcode'));
      span.end();
      return r.spans();
    },
  ],
  [
    'links with and without attributes and trace state, remote and local',
    () => {
      const r = recorder();
      const tracer = r.tracer('links');
      const local = tracer.startSpan('local');
      local.end();
      const links: Link[] = [
        { context: local.spanContext() },
        {
          context: { traceId: REMOTE_TRACE_ID, spanId: REMOTE_SPAN_ID, traceFlags: TraceFlags.NONE, isRemote: true, traceState: new TraceState('a=b') },
          attributes: { 'link.kind': 'follows', n: 2 },
        },
        { context: { traceId: REMOTE_TRACE_ID, spanId: REMOTE_SPAN_ID, traceFlags: TraceFlags.SAMPLED }, droppedAttributesCount: 4 },
      ];
      tracer.startSpan('linked', { links }).end();
      return r.spans();
    },
  ],
  [
    'statuses: unset, OK, ERROR without and with a message',
    () => {
      const r = recorder();
      const tracer = r.tracer('status');
      tracer.startSpan('unset').end();
      const ok = tracer.startSpan('ok');
      ok.setStatus({ code: SpanStatusCode.OK });
      ok.end();
      const error = tracer.startSpan('error');
      error.setStatus({ code: SpanStatusCode.ERROR });
      error.end();
      const message = tracer.startSpan('error with message');
      message.setStatus({ code: SpanStatusCode.ERROR, message: 'statement timeout ✗' });
      message.end();
      return r.spans();
    },
  ],
  [
    'dropped attributes, events, links and event attributes',
    () => {
      const r = recorder(undefined, { attributeCountLimit: 2, eventCountLimit: 1, linkCountLimit: 1, attributePerEventCountLimit: 1 });
      const link = { context: { traceId: REMOTE_TRACE_ID, spanId: REMOTE_SPAN_ID, traceFlags: TraceFlags.SAMPLED } };
      const span = r.tracer('limits').startSpan('limited', { attributes: { a: 1, b: 2, c: 3, d: 4 }, links: [link, link, link] });
      span.addEvent('first', { x: 1, y: 2, z: 3 });
      span.addEvent('second', { x: 1 });
      span.end();
      return r.spans();
    },
  ],
  ['an empty span name', () => spanWith({}, '')],
  [
    'several resources and scopes interleaved, grouped in the order first seen',
    () => {
      const a = recorder(resourceFromAttributes({ 'service.name': 'a' }));
      const b = recorder(resourceFromAttributes({ 'service.name': 'b', 'host.name': 'vm' }, { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' }));
      const order: ReadableSpan[] = [];
      const make = (r: Recorder, scope: string, name: string, version?: string, schemaUrl?: string) => {
        r.tracer(scope, version, schemaUrl).startSpan(name).end();
        const spans = r.spans();
        order.push(spans[spans.length - 1]);
      };
      make(a, 'one', 'a1');
      make(b, 'one', 'b1');
      make(a, 'two', 'a2', '2.0.0', 'https://opentelemetry.io/schemas/1.24.0');
      make(b, 'one', 'b2');
      make(a, 'one', 'a3');
      make(b, 'three', 'b3', '', '');
      return order;
    },
  ],
  [
    'a resource with a schema URL and attributes of every type, bytes and nested maps among them',
    () => {
      const resource = resourceFromAttributes(
        {
          'service.name': 'rich',
          'process.pid': 1234,
          ratio: 0.25,
          flag: true,
          tags: ['x', 'y'],
          'service.empty': '',
          bytes: new Uint8Array([0, 1, 254, 255]) as never,
          nested: { a: 1, b: ['c'], deeper: { d: 'é' } } as never,
          nothing: undefined,
        },
        { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' },
      );
      const r = recorder(resource);
      r.tracer('scope').startSpan('span').end();
      return r.spans();
    },
  ],
  [
    'a scope with version, schema URL, attributes and a dropped count',
    () => {
      const [span] = spanWith({ a: 'b' });
      const scope = {
        name: 'rich-scope',
        version: '1.2.3',
        schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
        attributes: { 'scope.attr': 'v', n: 1 },
        droppedAttributesCount: 2,
      };
      return [Object.create(span, { instrumentationScope: { value: scope } }) as ReadableSpan];
    },
  ],
  [
    'ids that are not lowercase hex: upper case, other characters, odd and empty lengths',
    () => {
      const [span] = spanWith({});
      const ids = [
        ['0AF7651916CD43DD8448EB211C80319C', 'B7AD6B7169203331'],
        ['zz-not-hex-id-of-32-characters!!', 'é€😀ghij'],
        ['abc', 'd'],
        ['', ''],
      ];
      return ids.map(
        ([traceId, spanId]) =>
          Object.create(span, {
            spanContext: { value: () => ({ ...span.spanContext(), traceId, spanId }) },
            parentSpanContext: { value: { ...span.spanContext(), spanId } },
          }) as ReadableSpan,
      );
    },
  ],
  [
    'a batch over 16 kB per scope and a span over 2 MB (three- and four-byte lengths)',
    () => {
      const r = recorder();
      const tracer = r.tracer('big');
      for (let i = 0; i < 300; i++)
        tracer
          .startSpan(`GET /items/${i}`, {
            kind: SpanKind.SERVER,
            attributes: { 'url.path': `/items/${i}`, 'network.peer.port': 40_000 + i, 'request.id': `id-${i}` },
          })
          .end();
      tracer.startSpan('huge', { attributes: { body: 'z'.repeat(2_200_000) } }).end();
      return r.spans();
    },
  ],
  [
    'a key with more distinct values than are kept, repeated across spans',
    () => {
      const r = recorder();
      const tracer = r.tracer('cardinality');
      for (let i = 0; i < 20; i++) tracer.startSpan('s', { attributes: { 'http.route': `/r/${i % 12}`, status: 200 + (i % 3), repeated: 'same' } }).end();
      return r.spans();
    },
  ],
];

describe('the span encoder writes what the OpenTelemetry serializer writes', () => {
  test.each(cases)('%s', (_name, make) => {
    const spans = make();
    const expected = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
    expect(Buffer.from(encodeTraceRequest(spans)).equals(expected)).toBe(true);
    // Again, now that the resource, scope and attribute caches hold this batch's values.
    const again = Buffer.from(encodeTraceRequest(spans));
    expect(again.equals(expected)).toBe(true);
    // Encoded as they ended (encoded-span.ts), all of them or every other one: the same bytes.
    const encoder = new SpanStandIns(writeSpan);
    const standIns = spans.map(span => encoder.encode(span) as unknown as ReadableSpan);
    expect(Buffer.from(encodeTraceRequest(standIns)).equals(expected)).toBe(true);
    const mixed = spans.map((span, i) => (i % 2 === 0 ? standIns[i] : span));
    expect(Buffer.from(encodeTraceRequest(mixed)).equals(expected)).toBe(true);
    const decoded = decodeExportTraceServiceRequest(again);
    expect(decoded.flatMap(resource => resource.spans)).toHaveLength(spans.length);
    expect(decoded).toEqual(decodeExportTraceServiceRequest(expected));
  });
});

test('a resource with attributes still pending is not kept encoded: once they settle, they are sent', async () => {
  const resource = resourceFromAttributes({ 'service.name': 'late', 'host.id': Promise.resolve('h-1') });
  // The batch processors wait for a resource to settle before exporting; this one hands spans over as they end.
  const spans: ReadableSpan[] = [];
  const provider = new TracerProvider({
    resource,
    spanProcessors: [{ onStart: () => {}, onEnd: span => spans.push(span), forceFlush: async () => {}, shutdown: async () => {} }],
  });
  provider.getTracer('scope').startSpan('before').end();
  expect(spans).toHaveLength(1);
  expect(resource.asyncAttributesPending).toBe(true);
  const pending = Buffer.from(encodeTraceRequest(spans));
  expect(pending.equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(true);
  expect(decodeExportTraceServiceRequest(pending)[0].resourceAttributes).toEqual({ 'service.name': 'late' });
  await resource.waitForAsyncAttributes?.();
  const settled = Buffer.from(encodeTraceRequest(spans));
  expect(settled.equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(true);
  expect(decodeExportTraceServiceRequest(settled)[0].resourceAttributes).toEqual({ 'service.name': 'late', 'host.id': 'h-1' });
});

test('each call returns its own bytes: a later batch does not overwrite an earlier result', () => {
  const first = encodeTraceRequest(spanWith({ which: 'first' }));
  const copy = Buffer.from(first);
  encodeTraceRequest(spanWith({ which: 'second, a longer value' }));
  expect(Buffer.from(first).equals(copy)).toBe(true);
});

describe('the serializer around the encoder', () => {
  test("encodes with tracehop's encoder and reads responses with the library's", () => {
    const warnings: string[] = [];
    const serializer = tracehopTraceSerializer(ProtobufTraceSerializer, { warn: (_kind, message) => warnings.push(message) });
    const spans = spanWith({ a: 1 });
    expect(Buffer.from(serializer.serializeRequest(spans)!).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(true);
    // ExportTraceServiceResponse { partial_success { rejected_spans: 2, error_message: "no" } }
    expect(serializer.deserializeResponse(Uint8Array.from([0x0a, 0x06, 0x08, 0x02, 0x12, 0x02, 0x6e, 0x6f]))).toEqual({
      partialSuccess: { rejectedSpans: 2, errorMessage: 'no' },
    });
    expect(warnings).toEqual([]);
  });

  test("a batch the encoder cannot encode goes to the library's serializer, and the problem is reported", () => {
    const warnings: Array<[string, string]> = [];
    const serializer = tracehopTraceSerializer(ProtobufTraceSerializer, { warn: (kind, message) => warnings.push([kind, message]) });
    const [span] = spanWith({ a: 1 });
    // A resource that is not an object cannot be a cache key: tracehop's encoder throws, the library's writes it.
    const odd = Object.create(span, { resource: { value: 'not a resource' } }) as ReadableSpan;
    expect(() => encodeTraceRequest([odd])).toThrow();
    expect(Buffer.from(serializer.serializeRequest([odd])!).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest([odd])!))).toBe(true);
    expect(warnings).toEqual([['span-encoder', expect.stringContaining('the OpenTelemetry serializer encoded it instead')]]);
    // With spans encoded as they ended in the batch: they are encoded by tracehop, the rest by the library, in one request.
    const [early] = spanWith({ early: true });
    const standIn = new SpanStandIns(writeSpan).encode(early) as unknown as ReadableSpan;
    const both = decodeExportTraceServiceRequest(serializer.serializeRequest([standIn, odd])!);
    expect(both.flatMap(resource => resource.spans.map(decoded => decoded.spanId)).sort()).toEqual(
      [early.spanContext().spanId, odd.spanContext().spanId].sort(),
    );
    expect(decodeExportTraceServiceRequest(serializer.serializeRequest([standIn, odd])!)).toEqual([
      ...decodeExportTraceServiceRequest(encodeTraceRequest([standIn])),
      ...decodeExportTraceServiceRequest(ProtobufTraceSerializer.serializeRequest([odd])!),
    ]);
    // The shared buffer is usable again afterwards.
    const spans = spanWith({ after: 'failure' });
    expect(Buffer.from(encodeTraceRequest(spans)).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(true);
  });
});
