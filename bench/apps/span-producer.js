'use strict';
// The export worker: under the preload it was started with, makes server
// spans at the rate the suite asks for, in 10 ms ticks, through the global
// tracer, so they go through that option's own batch span processor and
// exporter to the sink. Each span is started the way the http
// instrumentation starts one (the global propagator extracts first, which is
// where tracehop sets the request id and chain), with the attributes of a
// server request.
const { propagation, trace, ROOT_CONTEXT, SpanKind } = require('@opentelemetry/api');
const { performance } = require('node:perf_hooks');
const { serve } = require('./ipc');

const TICK_MS = 10;
// A tick makes at most one export batch's worth of spans (the default
// OTEL_BSP_MAX_EXPORT_BATCH_SIZE), a quarter of the default queue: a process
// that falls behind the pace shows it as a lower achieved rate, not as one
// catch-up burst larger than the processor's queue.
const MAX_BURST = 512;
const tracer = trace.getTracer('bench-export');
const getter = { keys: carrier => Object.keys(carrier), get: (carrier, key) => carrier[key] };
const ATTRIBUTES = {
  'http.request.method': 'GET',
  'url.path': '/cards/1234567890123456/',
  'url.scheme': 'http',
  'server.address': '127.0.0.1',
  'server.port': 8080,
  'network.peer.address': '127.0.0.1',
  'network.peer.port': 51234,
  'user_agent.original': 'autocannon',
  'network.protocol.version': '1.1',
};

function makeSpan() {
  const requestContext = propagation.extract(ROOT_CONTEXT, {}, getter);
  const span = tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: ATTRIBUTES }, requestContext);
  span.setAttribute('http.response.status_code', 200);
  span.end();
}

async function step({ rate, seconds }) {
  const started = performance.now();
  let produced = 0;
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    const due = Math.min(Math.floor((rate * elapsed) / 1000), produced + MAX_BURST);
    while (produced < due) {
      makeSpan();
      produced++;
    }
    await new Promise(resolve => setTimeout(resolve, TICK_MS));
    elapsed = performance.now() - started;
  }
  await trace.getTracerProvider().getDelegate().forceFlush();
  return { produced, seconds: elapsed / 1000 };
}

serve({ step });
process.send({ type: 'ready' });
