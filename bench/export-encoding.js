'use strict';
// What one export batch costs to encode, per encoder: CPU time and bytes per
// span. This is how tracehop's default protocol (http/protobuf) was chosen,
// and what tracehop's own protobuf encoder (src/export/, compiled: run
// `npm run build` first) saves over the OpenTelemetry serializer it replaces,
// whose bytes it must match exactly.
// Spans are the shape the http instrumentation makes for a server request,
// with tracehop's request.id and request.chain attributes.
const { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { JsonTraceSerializer, ProtobufTraceSerializer } = require('@opentelemetry/otlp-transformer');
const { SpanKind } = require('@opentelemetry/api');
const { encodeTraceRequest } = require('../dist/src/otlp/encode-spans');

const BATCH = 512; // the OpenTelemetry default OTEL_BSP_MAX_EXPORT_BATCH_SIZE

function makeSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'cards', 'process.pid': 1234, 'host.name': 'vm' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('@opentelemetry/instrumentation-http', '0.223.0');
  for (let i = 0; i < BATCH; i++) {
    // What differs between requests differs here too (path, client port, request id), so no encoder can
    // gain from values repeated across spans that would not repeat in a service; lengths stay the same.
    const requestId = `0dadb33f-ee15-470a-bfc8-${String(500000000000 + i * 7919).padStart(12, '0')}`;
    const span = tracer.startSpan('GET', {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'GET',
        'url.path': `/cards/${1234567890123456 + i}/`,
        'url.scheme': 'http',
        'server.address': '127.0.0.1',
        'server.port': 8080,
        'network.peer.address': '127.0.0.1',
        'network.peer.port': 51234 + i,
        'user_agent.original': 'node',
        'http.response.status_code': 200,
        'network.protocol.version': '1.1',
        'request.id': requestId,
        'request.chain': `${requestId},ac0eabbd12345678`,
      },
    });
    span.end();
  }
  return exporter.getFinishedSpans();
}

/** Each encoder the exporters could use: tracehop's for http/protobuf, the OpenTelemetry serializers it stands beside. */
const ENCODERS = {
  'http/protobuf, tracehop encoder': { serializeRequest: encodeTraceRequest },
  'http/protobuf, OpenTelemetry serializer': ProtobufTraceSerializer,
  'http/json, OpenTelemetry serializer': JsonTraceSerializer,
};

/** CPU nanoseconds per span over `batches` serializations of the whole batch. */
function time(serializer, spans, batches) {
  const started = process.cpuUsage();
  for (let i = 0; i < batches; i++) serializer.serializeRequest(spans);
  const used = process.cpuUsage(started);
  return ((used.user + used.system) * 1000) / batches / spans.length;
}

/**
 * Bytes and encoding CPU ns per span of one 512-span batch, per encoder:
 * rounds alternate between the encoders (which goes first rotates too),
 * and each figure is the median of its rounds. `identical` says whether
 * tracehop's bytes are the OpenTelemetry protobuf serializer's. Part of the
 * suite's export scenario.
 */
function measureEncoding({ quick = false } = {}) {
  const { rounds, batches } = quick ? { rounds: 3, batches: 3 } : { rounds: 15, batches: 20 };
  const spans = makeSpans();
  const names = Object.keys(ENCODERS);
  const samples = Object.fromEntries(names.map(name => [name, []]));
  for (const name of names) time(ENCODERS[name], spans, 10); // warm-up
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) samples[name].push(time(ENCODERS[name], spans, batches));
  }
  const ours = Buffer.from(encodeTraceRequest(spans));
  const identical = ours.equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)));
  return Object.fromEntries(
    names.map(name => [
      name,
      {
        bytesPerSpan: Math.round(ENCODERS[name].serializeRequest(spans).byteLength / spans.length),
        nsPerSpan: Math.round(median(samples[name])),
        ...(name.startsWith('http/protobuf') ? { identical } : {}),
      },
    ]),
  );
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function main() {
  const results = measureEncoding({ quick: process.argv.includes('--quick') });
  console.log('| encoder | bytes per span | encode CPU ns per span |');
  console.log('|---|---|---|');
  for (const [encoder, r] of Object.entries(results)) console.log(`| ${encoder} | ${r.bytesPerSpan} | ${r.nsPerSpan} |`);
  const { identical } = results['http/protobuf, tracehop encoder'];
  console.log(`\ntracehop's protobuf bytes ${identical ? 'are identical to' : 'DIFFER from'} the OpenTelemetry serializer's.`);
  return results;
}

module.exports = { main, measureEncoding, makeSpans };
if (require.main === module) main();
