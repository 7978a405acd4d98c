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
//
// BENCH_OTEL_API: the path of the OpenTelemetry API to use, for a peer agent
// registered through its own copy (bench/lib/peers.js says why).
const { context, propagation, trace, ROOT_CONTEXT, SpanKind } = require(process.env.BENCH_OTEL_API || '@opentelemetry/api');
const pino = require('pino');
const { serve } = require('./ipc');

// Under dd-trace, the API's spans are dd-trace's only once its OpenTelemetry
// tracer provider is registered, as dd-trace's documentation has an app do;
// then its pino injection sees them (the `dd` field with trace and span ids).
if (global._ddtrace) new global._ddtrace.TracerProvider().register();

const destination = pino.destination('/dev/null');
const logger = pino(destination);

const requestContext = propagation.extract(
  ROOT_CONTEXT,
  {},
  {
    keys: carrier => Object.keys(carrier),
    get: (carrier, key) => carrier[key],
  },
);
const span = trace.getTracer('bench').startSpan('GET', { kind: SpanKind.SERVER }, requestContext);
let spanContext = trace.setSpan(requestContext, span);

// 'added': three fields that belong to the whole request. Under tracehop they
// are added once with addLogFields, in a request of their own; a plain pino
// app (every other option) would bind them once on a child logger, which is
// also serialized once. Both are compared with plain pino's plain call too.
const ADDED_FIELDS = { user: 'u-1234', tenant: 'acme', plan: 'gold' };
let addedContext = (() => {
  const extracted = propagation.extract(ROOT_CONTEXT, {}, { keys: carrier => Object.keys(carrier), get: (carrier, key) => carrier[key] });
  return trace.setSpan(extracted, trace.getTracer('bench').startSpan('GET', { kind: SpanKind.SERVER }, extracted));
})();
let addedLogger = logger.child(ADDED_FIELDS);
let addedThrough = 'child logger';
if (globalThis[Symbol.for('tracehop.started')]) {
  const { addLogFields, runAsRequest } = require('../..');
  // Since tracehop's extract became pure (issue 24), a request id and chain
  // are made only where a request's root span starts (its http server hook,
  // runAsRequest), not for a span started through the API as above, which
  // then logs three fields, not five. runAsRequest gives the worker's spans
  // what a served request has; the promise never settles, so each span stays
  // open, as a request's is while it logs.
  const inRequest = () => {
    let captured;
    runAsRequest(
      () =>
        new Promise(() => {
          captured = context.active();
        }),
      { name: 'GET' },
    );
    return captured;
  };
  spanContext = inRequest();
  addedContext = inRequest();
  context.with(addedContext, () => addLogFields(ADDED_FIELDS));
  addedLogger = logger;
  addedThrough = 'addLogFields';
}

function batch(calls, log = logger) {
  const started = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    log.info({ method: 'GET', path: '/cards/1234567890123456/' }, 'request received');
  }
  destination.flushSync();
  const used = process.cpuUsage(started);
  return ((used.user + used.system) * 1000) / calls;
}

/** The fields a record gets beyond the call's own: what the option adds. */
function addedFields(where) {
  let line = '';
  const probe = pino(
    { base: null, timestamp: false },
    {
      write: chunk => {
        line = chunk;
      },
    },
  );
  const write = () => (where === 'added' && addedThrough === 'child logger' ? probe.child(ADDED_FIELDS) : probe).info({ method: 'GET' }, 'probe');
  if (where === 'span') context.with(spanContext, write);
  else if (where === 'added') context.with(addedContext, write);
  else write();
  // One level down too: dd-trace nests its fields under `dd`.
  const record = JSON.parse(line);
  return Object.keys(record)
    .filter(key => !['level', 'method', 'msg'].includes(key))
    .flatMap(key => (record[key] !== null && typeof record[key] === 'object' ? Object.keys(record[key]).map(sub => `${key}.${sub}`) : [key]));
}

serve({
  run: ({ where, calls }) => {
    if (where === 'span') return { nsPerCall: context.with(spanContext, () => batch(calls)) };
    if (where === 'added') return { nsPerCall: context.with(addedContext, () => batch(calls, addedLogger)) };
    return { nsPerCall: batch(calls) };
  },
  fields: () => ({ inSpan: addedFields('span'), outside: addedFields('outside'), added: addedFields('added'), addedThrough }),
});
// A destination given as a path opens the file asynchronously; flushSync throws until it has.
destination.once('ready', () => process.send({ type: 'ready' }));
