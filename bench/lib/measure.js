'use strict';
// One measured load on a running service: the service's own CPU time and
// request count read over IPC just before and after `load()`, so CPU per
// request is per request the service served, and its RSS afterwards.
const MB = 1024 * 1024;

/**
 * Runs `load()` (which resolves with `{ failed, requestsPerSecond, p99Ms, p50Ms? }`)
 * against `service`; throws when any request failed.
 */
async function measureLoad(service, load) {
  const before = await service.stats();
  const result = await load();
  const after = await service.stats();
  if (result.failed > 0) throw new Error(`${service.option.id}: ${result.failed} failed requests; stderr: ${service.stderr}`);
  const cpuMicros = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
  return {
    requestsPerSecond: result.requestsPerSecond,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    cpuMicrosPerRequest: cpuMicros / (after.served - before.served),
    rssMB: after.rss / MB,
  };
}

module.exports = { measureLoad };
