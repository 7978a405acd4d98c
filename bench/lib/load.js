'use strict';
// HTTP load with autocannon, in the suite's own process. autocannon's
// histogram keeps whole milliseconds, and a loopback request takes well under
// one, so latencies are taken from its per-response event (fractional ms)
// and the percentiles computed here.
const autocannon = require('autocannon');
const { performance } = require('node:perf_hooks');

/** 10 keep-alive connections, one request in flight on each: autocannon's defaults. */
const CONNECTIONS = 10;
const SAMPLE_MS = 50;

function runLoad(url, seconds, connections = CONNECTIONS) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    let ok = 0;
    let failed = 0;
    const started = performance.now();
    // autocannon checks for the end of a run at every sample, once a second by
    // default; every 50 ms, a run of 0.25 s or 2.5 s lasts that long.
    const instance = autocannon({ url, connections, duration: seconds, pipelining: 1, sampleInt: SAMPLE_MS }, (error, result) => {
      const elapsedSeconds = (performance.now() - started) / 1000;
      if (error) return reject(error);
      failed += result.errors + result.timeouts;
      latencies.sort((a, b) => a - b);
      resolve({
        requests: ok,
        failed,
        requestsPerSecond: ok / elapsedSeconds,
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
      });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode === 200) {
        ok++;
        latencies.push(responseTimeMs);
      } else {
        failed++;
      }
    });
  });
}

/** The nearest-rank percentile of sorted values; NaN for none. */
function percentile(sorted, fraction) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

module.exports = { runLoad, CONNECTIONS };
