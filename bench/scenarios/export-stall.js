'use strict';
// Export stalls: how long the event loop is held while spans are exported
// under load. The request-path service (apps/loop-delay-service.js, which
// watches its own event-loop delay and garbage-collection pauses) runs
// untraced and under tracehop with three export batch sizes
// (OTEL_BSP_MAX_EXPORT_BATCH_SIZE): 512, the OpenTelemetry default and tracehop's; 256;
// 128; and 64 (each encoded ahead in slices of 128, src/export/sliced-encoding.ts). Loaded in turn with
// autocannon, in rotating order. Per variant and round: the event loop's max,
// p99.9 and p99 delay during the load, the longest GC pause in it, the
// requests' p99 latency, CPU per request, and the export requests the sink
// received per 1,000 spans. See docs/performance.md, "Export stalls".
const path = require('node:path');
const { OPTIONS, rotation, optionEnv } = require('../lib/options');
const { startChild, stopAll } = require('../lib/children');
const { runLoad, CONNECTIONS } = require('../lib/load');
const { compareRounds } = require('../lib/stats');

const SERVICE = path.join(__dirname, '..', 'apps', 'loop-delay-service.js');
const SETTINGS = {
  full: { rounds: 7, seconds: 3, warmUpSeconds: 2 },
  quick: { rounds: 1, seconds: 0.5, warmUpSeconds: 0.25 },
};
const untraced = OPTIONS.find(option => option.id === 'none');
const tracehop = OPTIONS.find(option => option.id === 'tracehop');
const VARIANTS = Object.freeze([
  { id: 'none', label: 'no tracing', option: untraced, env: {} },
  { id: 'batch512', label: 'tracehop, 512-span batches (default)', option: tracehop, env: { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512' } },
  { id: 'batch256', label: 'tracehop, 256-span batches', option: tracehop, env: { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '256' } },
  { id: 'batch128', label: 'tracehop, 128-span batches', option: tracehop, env: { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '128' } },
  { id: 'batch64', label: 'tracehop, 64-span batches', option: tracehop, env: { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64' } },
]);
const METRICS = ['loopMaxMs', 'loopP999Ms', 'loopP99Ms', 'p99Ms', 'requestsPerSecond', 'cpuMicrosPerRequest', 'exportRequestsPerKSpan', 'gcMaxMs'];

async function run({ quick, sink, log }) {
  const settings = quick ? SETTINGS.quick : SETTINGS.full;
  const services = await Promise.all(VARIANTS.map(variant => start(variant, sink)));
  try {
    for (const service of services) await runLoad(service.url, settings.warmUpSeconds);
    const rounds = Object.fromEntries(VARIANTS.map(variant => [variant.id, []]));
    for (let round = 0; round < settings.rounds; round++) {
      for (const service of rotation(services, round)) rounds[service.variant.id][round] = await measure(service, sink, settings.seconds);
      log(
        `export stalls: round ${round + 1}/${settings.rounds} max event-loop delay ${VARIANTS.map(v => `${v.id} ${rounds[v.id][round].loopMaxMs.toFixed(1)} ms`).join(', ')}`,
      );
    }
    const byVariant = compareRounds(rounds, METRICS);
    // Ratios to 512-span batches, the earlier default, measured in the same round.
    const toBefore = compareRounds(rounds, METRICS, 'batch512');
    for (const variant of VARIANTS) byVariant[variant.id].to512 = Object.fromEntries(METRICS.map(metric => [metric, toBefore[variant.id][metric].ratio]));
    return { settings: { ...settings, connections: CONNECTIONS }, variants: VARIANTS.map(({ id, label }) => ({ id, label })), results: byVariant, rounds };
  } finally {
    await stopAll(services.map(service => service.handle));
  }
}

async function start(variant, sink) {
  const tag = `stall-${variant.id}`;
  const handle = startChild(SERVICE, {
    name: `loop-delay-service (${variant.id})`,
    nodeArgs: variant.option.nodeArgs,
    env: optionEnv(variant.option, sink.url, tag, variant.env),
  });
  const { port } = await handle.waitForMessage(message => message.type === 'listening', 20000);
  return { variant, tag, handle, url: `http://127.0.0.1:${port}/cards/1234567890123456/` };
}

async function measure(service, sink, seconds) {
  const exportedBefore = await sink.counters(service.tag);
  const before = await service.handle.request('stats');
  await service.handle.request('resetDelay');
  const load = await runLoad(service.url, seconds);
  const delay = await service.handle.request('delay');
  const after = await service.handle.request('stats');
  const exportedAfter = await sink.counters(service.tag);
  if (load.failed > 0) throw new Error(`${service.variant.id}: ${load.failed} failed requests; stderr: ${service.handle.stderr}`);
  const spans = exportedAfter.items - exportedBefore.items;
  return {
    loopMaxMs: delay.maxMs,
    loopP999Ms: delay.p999Ms,
    loopP99Ms: delay.p99Ms,
    gcMaxMs: delay.gcMaxMs,
    p99Ms: load.p99Ms,
    requestsPerSecond: load.requestsPerSecond,
    cpuMicrosPerRequest: (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / (after.served - before.served),
    exportRequestsPerKSpan: spans === 0 ? NaN : ((exportedAfter.requests - exportedBefore.requests) * 1000) / spans,
  };
}

module.exports = { name: 'exportStall', run, VARIANTS };
