'use strict';
// Log call: CPU nanoseconds per `logger.info({..}, 'msg')` to /dev/null through
// pino.destination, inside an active span and outside any span, for plain
// pino and for pino under each traced option (auto-instrumentations and the
// minimal NodeSDK both bring @opentelemetry/instrumentation-pino; tracehop
// brings its hook). One long-lived worker per option; batches alternate
// between workers, so every ratio compares batches run back to back.
const path = require('node:path');
const { OPTIONS, optionEnv, rotation } = require('../lib/options');
const { startChild, startReadyChildren, stopAll } = require('../lib/children');
const { compareRounds } = require('../lib/stats');

const WORKER = path.join(__dirname, '..', 'apps', 'log-call.js');
const SETTINGS = {
  full: { rounds: 9, calls: 30000 },
  quick: { rounds: 1, calls: 5000 },
};
// 'added': in a span whose request has three fields added (addLogFields under tracehop, a child logger's bindings otherwise).
const WHERE = ['span', 'outside', 'added'];

async function run({ quick, sink, log }) {
  const settings = quick ? SETTINGS.quick : SETTINGS.full;
  const workers = await startReadyChildren(OPTIONS.length, i =>
    Object.assign(
      startChild(WORKER, {
        name: `log-call (${OPTIONS[i].id})`,
        nodeArgs: OPTIONS[i].nodeArgs,
        env: optionEnv(OPTIONS[i], sink.url, `log-${OPTIONS[i].id}`, OPTIONS[i].logCallEnv),
      }),
      { option: OPTIONS[i] },
    ),
  );
  try {
    const fields = {};
    for (const worker of workers) {
      fields[worker.option.id] = await worker.request('fields');
      // Warm-up batches, unmeasured: the JIT settles on the logging path.
      for (const where of WHERE) await worker.request('run', { where, calls: settings.calls });
    }
    const rounds = Object.fromEntries(OPTIONS.map(option => [option.id, []]));
    for (let round = 0; round < settings.rounds; round++) {
      for (const worker of rotation(workers, round)) {
        const sample = {};
        for (const where of WHERE) sample[where] = (await worker.request('run', { where, calls: settings.calls })).nsPerCall;
        rounds[worker.option.id][round] = sample;
      }
    }
    log(`log call: ${OPTIONS.map(o => `${o.id} ${Math.round(rounds[o.id][0].span)} ns`).join(', ')} (first round, in a span)`);
    const byOption = compareRounds(rounds, WHERE);
    for (const option of OPTIONS) {
      byOption[option.id].fieldsInSpan = fields[option.id].inSpan;
      byOption[option.id].fieldsOutside = fields[option.id].outside;
      byOption[option.id].fieldsAdded = fields[option.id].added;
      byOption[option.id].addedThrough = fields[option.id].addedThrough;
    }
    // The added-fields case against plain pino's plain call in a span: what the three fields cost on top.
    const plainSpan = rounds.none.map(sample => sample.span);
    for (const option of OPTIONS) {
      const ratios = rounds[option.id].map((sample, i) => sample.added / plainSpan[i]).sort((a, b) => a - b);
      byOption[option.id].addedToPlainCall = { median: ratios[Math.floor(ratios.length / 2)], min: ratios[0], max: ratios[ratios.length - 1] };
    }
    return { settings, options: byOption, rounds };
  } finally {
    await stopAll(workers);
  }
}

module.exports = { name: 'logCall', run };
