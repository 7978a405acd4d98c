'use strict';
// A local OTLP/HTTP receiver that answers every export at once with an empty
// success response, so a traced service pays the whole cost of exporting
// (encoding, the HTTP request, the response) and nothing waits on a collector.
// Each service exports under its own path prefix, `/<tag>/v1/<signal>`, and
// the sink counts requests, bytes and items per tag and signal.
const http = require('node:http');
const { serve } = require('./ipc');
const { countOtlpItems } = require('../lib/otlp-count');

const counters = {};

function counterFor(url) {
  const match = /^\/([^/]+)\/v1\/([a-z]+)/.exec(url) || [null, 'default', 'unknown'];
  const key = `${match[1]} ${match[2]}`;
  counters[key] ??= { requests: 0, bytes: 0, items: 0, uncounted: 0 };
  return counters[key];
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', chunk => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
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
