'use strict';
// What one export batch costs to encode, per protocol: CPU time and bytes per
// span. This is how tracehop's default protocol (http/protobuf) was chosen.
// Spans are the shape the http instrumentation makes for a server request,
// with tracehop's request.id and request.chain attributes.
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { JsonTraceSerializer, ProtobufTraceSerializer } = require('@opentelemetry/otlp-transformer');
const { SpanKind } = require('@opentelemetry/api');

const BATCH = 512; // the OpenTelemetry default OTEL_BSP_MAX_EXPORT_BATCH_SIZE

function makeSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'cards', 'process.pid': 1234, 'host.name': 'vm' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('@opentelemetry/instrumentation-http', '0.223.0');
  for (let i = 0; i < BATCH; i++) {
    const span = tracer.startSpan('GET', {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'GET', 'url.path': `/cards/${1234567890123456 + i}/`, 'url.scheme': 'http',
        'server.address': '127.0.0.1', 'server.port': 8080, 'network.peer.address': '127.0.0.1', 'network.peer.port': 51234,
        'user_agent.original': 'node', 'http.response.status_code': 200, 'network.protocol.version': '1.1',
        'request.id': '0dadb33f-ee15-470a-bfc8-5e35926793a5', 'request.chain': '0dadb33f-ee15-470a-bfc8-5e35926793a5,ac0eabbd12345678',
      },
    });
    span.end();
  }
  return exporter.getFinishedSpans();
}

function measure(serializer, spans, rounds) {
  let bytes = 0;
  for (let i = 0; i < 5; i++) serializer.serializeRequest(spans); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) bytes = serializer.serializeRequest(spans).byteLength;
  const nsPerSpan = Number(process.hrtime.bigint() - start) / rounds / spans.length;
  return { bytesPerSpan: Math.round(bytes / spans.length), nsPerSpan: Math.round(nsPerSpan) };
}

/** Bytes and encoding ns per span of one 512-span batch, per protocol. Part of the suite's export scenario. */
function measureEncoding({ quick = false } = {}) {
  const rounds = quick ? 10 : 200;
  const spans = makeSpans();
  return {
    'http/protobuf': measure(ProtobufTraceSerializer, spans, rounds),
    'http/json': measure(JsonTraceSerializer, spans, rounds),
  };
}

function main() {
  const results = measureEncoding({ quick: process.argv.includes('--quick') });
  console.log('| protocol | bytes per span | encode ns per span |');
  console.log('|---|---|---|');
  for (const [protocol, r] of Object.entries(results)) console.log(`| ${protocol} | ${r.bytesPerSpan} | ${r.nsPerSpan} |`);
  return results;
}

module.exports = { main, measureEncoding };
if (require.main === module) main();
