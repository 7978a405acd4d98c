'use strict';
// The log-call worker: one pino logger writing to /dev/null through
// pino.destination, under whichever preload the suite started it with. It
// times batches of `logger.info({..}, 'msg')` calls inside an active server
// span, or outside any span, on request. A batch is timed in CPU time
// (process.cpuUsage), not wall time, so that other work on a shared machine
// inflates it as little as possible, and it includes writing the lines out.
//
// The span is started the way the http instrumentation starts one for an
// incoming request: the global propagator extracts from the (empty) request
// headers first, which is where tracehop decides the request id and chain.
const { context, propagation, trace, ROOT_CONTEXT, SpanKind } = require('@opentelemetry/api');
const pino = require('pino');
const { serve } = require('./ipc');

const destination = pino.destination('/dev/null');
const logger = pino(destination);

const requestContext = propagation.extract(ROOT_CONTEXT, {}, {
  keys: carrier => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
});
const span = trace.getTracer('bench').startSpan('GET', { kind: SpanKind.SERVER }, requestContext);
const spanContext = trace.setSpan(requestContext, span);

function batch(calls) {
  const started = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    logger.info({ method: 'GET', path: '/cards/1234567890123456/' }, 'request received');
  }
  destination.flushSync();
  const used = process.cpuUsage(started);
  return ((used.user + used.system) * 1000) / calls;
}

/** The fields a record gets beyond the call's own: what the option adds. */
function addedFields(inSpan) {
  let line = '';
  const probe = pino({ base: null, timestamp: false }, { write: chunk => { line = chunk; } });
  const write = () => probe.info({ method: 'GET' }, 'probe');
  if (inSpan) context.with(spanContext, write);
  else write();
  return Object.keys(JSON.parse(line)).filter(key => !['level', 'method', 'msg'].includes(key));
}

serve({
  run: ({ where, calls }) => {
    const nsPerCall = where === 'span' ? context.with(spanContext, () => batch(calls)) : batch(calls);
    return { nsPerCall };
  },
  fields: () => ({ inSpan: addedFields(true), outside: addedFields(false) }),
});
// A destination given as a path opens the file asynchronously; flushSync throws until it has.
destination.once('ready', () => process.send({ type: 'ready' }));
