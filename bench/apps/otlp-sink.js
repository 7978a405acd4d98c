'use strict';
// A local OTLP/HTTP receiver that answers every export at once with an empty
// success response, so a traced service pays the whole cost of exporting
// (encoding, the HTTP request, the response) and nothing waits on a collector.
// Each service exports under its own path prefix, `/<tag>/v1/<signal>`, and
// the sink counts requests, bytes and items per tag and signal.
//
// It is also the Datadog agent dd-trace sends to (DD_TRACE_AGENT_URL): it
// accepts `PUT/POST /v0.4/traces` and `/v0.5/traces` (msgpack) and answers as
// the agent does, 200 with `{"rate_by_service":{}}`, counting the spans under
// the first span's service name, which the suite sets to the service's tag
// (the intake's path cannot carry one). Any other agent endpoint dd-trace
// asks (`/info` at start-up) gets an empty 200, so nothing retries.
//
// And it is the Sentry server the Sentry SDK sends to: its DSN
// (http://bench@<sink>/<tag>/1) gives each service the path prefix
// `/<tag>`, so envelopes arrive at `POST /<tag>/api/1/envelope/`, gzipped
// when large; their spans are counted under the tag (lib/sentry-count.js).
const http = require('node:http');
const zlib = require('node:zlib');
const { serve } = require('./ipc');
const { countOtlpItems } = require('../lib/otlp-count');
const { countDatadogSpans } = require('../lib/datadog-count');
const { countSentrySpans } = require('../lib/sentry-count');

const counters = {};

function counterFor(url) {
  const match = /^\/([^/]+)\/v1\/([a-z]+)/.exec(url) || [null, 'default', 'unknown'];
  return counterNamed(`${match[1]} ${match[2]}`);
}

function counterNamed(key) {
  counters[key] ??= { requests: 0, bytes: 0, items: 0, uncounted: 0 };
  return counters[key];
}

const DATADOG_TRACES = /^\/v(0\.[45])\/traces/;

function datadog(req, res, body) {
  const version = DATADOG_TRACES.exec(req.url);
  if (version === null) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
    return;
  }
  const counted = countDatadogSpans(body, version[1]);
  const counter = counterNamed(`${counted?.service ?? 'datadog'} traces`);
  counter.requests++;
  counter.bytes += body.length;
  if (counted === null) counter.uncounted++;
  else counter.items += counted.spans;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"rate_by_service":{}}');
}

const SENTRY_ENVELOPE = /^\/([^/]+)\/api\/\d+\/envelope\//;

function sentry(req, res, body, tag) {
  const counter = counterNamed(`${tag} traces`);
  counter.requests++;
  counter.bytes += body.length;
  let spans = null;
  try {
    spans = countSentrySpans(req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(body) : body);
  } catch {
    // Not gzip after all: counted as uncounted below.
  }
  if (spans === null) counter.uncounted++;
  else counter.items += spans;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{}');
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', chunk => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const envelope = SENTRY_ENVELOPE.exec(req.url);
    if (envelope !== null) return sentry(req, res, body, envelope[1]);
    if (!/\/v1\//.test(req.url)) return datadog(req, res, body);
    const counter = counterFor(req.url);
    counter.requests++;
    counter.bytes += body.length;
    const protobuf = (req.headers['content-type'] || '').includes('protobuf') && !req.headers['content-encoding'];
    const items = protobuf ? countOtlpItems(body) : null;
    if (items === null) counter.uncounted++;
    else counter.items += items;
    // An empty Export*ServiceResponse is a full success (OTLP/HTTP).
    res.writeHead(200, { 'content-type': protobuf ? 'application/x-protobuf' : 'application/json' });
    res.end(protobuf ? '' : '{}');
  });
});

serve({ stats: () => ({ counters }) });
server.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: server.address().port }));
