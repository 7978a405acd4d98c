'use strict';
// The service under test: one route that logs one pino line per request and
// answers a few bytes, as a small JSON API would. pino writes to stdout,
// which the suite points at /dev/null. The suite asks for the process's own
// CPU time, memory and request count over IPC, so none of it is measured
// from outside.
const http = require('node:http');
const v8 = require('node:v8');
const pino = require('pino');
const { serve } = require('./ipc');

const logger = pino();
let served = 0;

const server = http.createServer((req, res) => {
  served++;
  logger.info({ method: req.method, path: req.url }, 'request received');
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
});

serve({
  stats: message => {
    // Only with --expose-gc: a collection first, so heapUsed is live data.
    if (message.gc && typeof global.gc === 'function') global.gc();
    const memory = process.memoryUsage();
    return { cpu: process.cpuUsage(), rss: memory.rss, heapUsed: memory.heapUsed, served };
  },
  // A heap snapshot mid-load, to name what survives (docs/performance.md).
  snapshot: message => ({ file: v8.writeHeapSnapshot(message.file) }),
});

server.listen(0, '127.0.0.1', () => {
  // The modules in the require cache: the preload's and the app's, a count the machine's load does not move.
  process.send({
    type: 'listening',
    port: server.address().port,
    cpu: process.cpuUsage(),
    rss: process.memoryUsage.rss(),
    modules: Object.keys(require.cache).length,
  });
});
