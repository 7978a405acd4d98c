'use strict';
// Export: how many spans per second one process can push through its batch
// span processor and OTLP/HTTP protobuf exporter without dropping any, and
// how many bytes each span costs on the wire. Each traced option runs its
// own pipeline (its preload) in a worker that makes spans at a rising rate;
// the sink counts what arrives, so dropped = made - received after a flush.
// The encoding-only figures of export-encoding.js come last.
const path = require('node:path');
const { TRACED_OPTIONS: ALL_TRACED, optionEnv, rotation } = require('../lib/options');
const { startChild, startReadyChildren, stopAll } = require('../lib/children');
const { measureEncoding } = require('../export-encoding');

const PRODUCER = path.join(__dirname, '..', 'apps', 'span-producer.js');
const SETTINGS = {
  full: { rates: [2500, 5000, 10000, 20000, 40000, 80000], seconds: 2, warmUpSeconds: 1 },
  quick: { rates: [2500, 10000], seconds: 0.2, warmUpSeconds: 0.2 },
};
// A step counts as keeping up when it made at least this share of the rate asked for.
const KEPT_PACE = 0.9;

async function run({ quick, sink, log }) {
  const settings = quick ? SETTINGS.quick : SETTINGS.full;
  // Not the peers: the producer drives an OpenTelemetry batch processor and
  // exporter through the API and their flush, which dd-trace does not have,
  // and this scenario compares OTLP pipelines.
  const TRACED_OPTIONS = ALL_TRACED.filter(option => !option.peer);
  const workers = await startReadyChildren(TRACED_OPTIONS.length, i =>
    Object.assign(
      startChild(PRODUCER, {
        name: `span-producer (${TRACED_OPTIONS[i].id})`,
        nodeArgs: TRACED_OPTIONS[i].nodeArgs,
        env: optionEnv(TRACED_OPTIONS[i], sink.url, `export-${TRACED_OPTIONS[i].id}`),
      }),
      { option: TRACED_OPTIONS[i] },
    ),
  );
  try {
    // Unmeasured: the JIT settles, and the exporter's connection to the sink is made.
    for (const worker of workers) await worker.request('step', { rate: settings.rates[0], seconds: settings.warmUpSeconds }, 60000);
    const steps = Object.fromEntries(TRACED_OPTIONS.map(option => [option.id, []]));
    const stopped = new Set();
    for (const [index, rate] of settings.rates.entries()) {
      for (const worker of rotation(workers, index)) {
        if (stopped.has(worker)) continue;
        const tag = `export-${worker.option.id}`;
        const before = await sink.counters(tag);
        const made = await worker.request('step', { rate, seconds: settings.seconds }, 60000);
        const after = await sink.counters(tag);
        const received = after.items - before.items;
        const result = {
          rate,
          achieved: made.produced / made.seconds,
          dropped: made.produced - received,
          bytesPerSpan: received === 0 ? null : (after.bytes - before.bytes) / received,
        };
        steps[worker.option.id].push(result);
        if (result.dropped > 0 || result.achieved < KEPT_PACE * rate) stopped.add(worker);
      }
    }
    const byOption = {};
    for (const option of TRACED_OPTIONS) {
      const clean = steps[option.id].filter(step => step.dropped === 0);
      const best = clean.reduce((a, b) => (a === null || b.achieved > a.achieved ? b : a), null);
      const sized = steps[option.id].filter(step => step.bytesPerSpan !== null);
      byOption[option.id] = {
        spansPerSecondWithoutDrops: best === null ? 0 : best.achieved,
        ceiling: describeCeiling(steps[option.id], settings.rates),
        bytesPerSpan: sized.length === 0 ? null : sized[sized.length - 1].bytesPerSpan,
        steps: steps[option.id],
      };
    }
    log(`export: ${TRACED_OPTIONS.map(o => `${o.id} ${Math.round(byOption[o.id].spansPerSecondWithoutDrops)} spans/s`).join(', ')}`);
    const encoding = measureEncoding({ quick });
    return { settings, options: byOption, encoding };
  } finally {
    await stopAll(workers);
  }
}

/** Why the ramp stopped: spans dropped, the process could not keep the pace, or the highest rate tried was reached. */
function describeCeiling(steps, rates) {
  const last = steps[steps.length - 1];
  if (last.dropped > 0) return `dropped ${last.dropped} at ${last.rate}/s`;
  if (last.achieved < KEPT_PACE * last.rate) return `CPU-bound at ${Math.round(last.achieved)}/s of ${last.rate}/s`;
  return last.rate === rates[rates.length - 1] ? 'highest rate tried' : 'stopped';
}

module.exports = { name: 'export', run };
