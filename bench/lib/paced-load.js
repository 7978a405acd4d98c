'use strict';
// An open load at a fixed rate: request i is due at start + i / rate and is
// handed to the HTTP client at the first timer tick after that (ticks come
// about every millisecond, each sending every request that has come due, so
// the rate holds above 1,000 a second and requests are spread evenly across
// each second, not sent in bursts). It goes out on one of `connections`
// keep-alive sockets, waiting for a free one if all are busy, and its latency
// is measured from when it was handed over, that wait included: a service
// that falls behind shows it in its latency instead of slowing the load
// down, while the tick's own lateness (up to a millisecond) is left out.
const http = require('node:http');
const { performance } = require('node:perf_hooks');

function runPacedLoad(url, seconds, rate, connections) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const total = Math.max(1, Math.round(seconds * rate));
  const latencies = [];
  let sent = 0;
  let settled = 0;
  let failed = 0;
  const started = performance.now();
  return new Promise(resolve => {
    const finish = () => {
      clearInterval(timer);
      agent.destroy();
      latencies.sort((a, b) => a - b);
      const elapsedSeconds = (performance.now() - started) / 1000;
      resolve({ requests: latencies.length, failed, requestsPerSecond: latencies.length / elapsedSeconds, p99Ms: percentile(latencies, 0.99) });
    };
    const send = () => {
      const handedAt = performance.now();
      const request = http.get({ host: target.hostname, port: target.port, path: target.pathname + target.search, agent }, response => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode === 200) latencies.push(performance.now() - handedAt);
          else failed++;
          if (++settled === total) finish();
        });
      });
      request.on('error', () => {
        failed++;
        if (++settled === total) finish();
      });
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && started + (sent * 1000) / rate <= now) {
        send();
        sent++;
      }
    };
    const timer = setInterval(tick, 1);
    tick();
  });
}

function percentile(sorted, fraction) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

module.exports = { runPacedLoad };
