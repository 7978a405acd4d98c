'use strict';
// The request-path service (apps/service.js: one route, one pino line per
// request), with the event loop's delay watched: perf_hooks'
// monitorEventLoopDelay fires a timer every millisecond and records how late
// each one ran, so a stretch of synchronous work (an export batch being
// encoded) shows up as a late timer. The suite resets the histogram before a
// load and reads it after, over IPC.
const http = require('node:http');
const { monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');
const pino = require('pino');
const { serve } = require('./ipc');

// 1 ms, the finest resolution: a stall of a few milliseconds must not fall between samples.
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
// Garbage collection also holds the loop: its longest pause is reported beside the delay, to tell the two apart.
let gcMaxMs = 0;
let gcTotalMs = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    gcMaxMs = Math.max(gcMaxMs, entry.duration);
    gcTotalMs += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });
const logger = pino();
let served = 0;

const server = http.createServer((req, res) => {
  served++;
  logger.info({ method: req.method, path: req.url }, 'request received');
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
});

const NS_PER_MS = 1e6;

serve({
  stats: () => ({ cpu: process.cpuUsage(), served }),
  resetDelay: () => {
    delay.reset();
    gcMaxMs = 0;
    gcTotalMs = 0;
    return {};
  },
  // The histogram records the whole delay of each timer, its 1 ms period included.
  delay: () => ({
    maxMs: delay.max / NS_PER_MS,
    p99Ms: delay.percentile(99) / NS_PER_MS,
    p999Ms: delay.percentile(99.9) / NS_PER_MS,
    meanMs: delay.mean / NS_PER_MS,
    gcMaxMs,
    gcTotalMs,
  }),
});

server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'listening', port: server.address().port });
});
