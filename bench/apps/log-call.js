'use strict';
// The log-call worker: one pino logger writing to /dev/null through
// pino.destination, under whichever preload the suite started it with. It
// times batches of `logger.info({..}, 'msg')` calls inside an active server
// span, or outside any span, on request.
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
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    logger.info({ method: 'GET', path: '/cards/1234567890123456/' }, 'request received');
  }
  return Number(process.hrtime.bigint() - started) / calls;
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
    // Outside the timing: write out what the batch queued, so batches do not pile up.
    destination.flushSync();
    return { nsPerCall };
  },
  fields: () => ({ inSpan: addedFields(true), outside: addedFields(false) }),
});
process.send({ type: 'ready' });
