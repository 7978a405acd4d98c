'use strict';
// The request path at an even rate: the same services as the request path
// (servicePool), each given the same open load, `rate` requests a second
// spread evenly over each second (lib/paced-load.js), which every option
// sustains on a 2-core machine. Per option and round: the service's CPU time
// per request, p99 latency (lib/paced-load.js says from when), and the rate
// achieved.
//
// Why beside the saturating request path: there each service answers as fast
// as it can, so the untraced one keeps its load generator always busy while a
// slower one leaves it waiting between responses. On a VM, a socket write
// that wakes a waiting process costs the writer several times more (measured:
// the untraced service made 40 µs a request slower by a busy loop paid 12 µs
// more per request in `writev` alone; docs/performance.md). At an equal rate
// every option's client waits alike (and every option, the untraced one
// too, pays a wake-up per request), so the ratio is what tracing adds at a
// given load, the figure capacity planning needs. The issue's targets stay
// on the saturating scenario; this one is reported next to it.
const { OPTIONS, rotation } = require('../lib/options');
const { CONNECTIONS } = require('../lib/load');
const { runPacedLoad } = require('../lib/paced-load');
const { compareRounds } = require('../lib/stats');
const { measureLoad } = require('../lib/measure');

const SETTINGS = {
  full: { rounds: 4, seconds: 4, warmUpSeconds: 1, rate: 4000 },
  quick: { rounds: 1, seconds: 0.5, warmUpSeconds: 0.25, rate: 500 },
};
const METRICS = ['requestsPerSecond', 'p99Ms', 'cpuMicrosPerRequest'];

async function run({ quick, services: pool, log }) {
  const settings = quick ? SETTINGS.quick : SETTINGS.full;
  const services = await pool.get();
  // Unmeasured: JIT, connections and first batches, when this scenario runs alone.
  for (const service of services) await runPacedLoad(service.url, settings.warmUpSeconds, settings.rate, CONNECTIONS);
  const rounds = Object.fromEntries(OPTIONS.map(option => [option.id, []]));
  for (let round = 0; round < settings.rounds; round++) {
    for (const service of rotation(services, round)) {
      rounds[service.option.id][round] = await measureLoad(service, () => runPacedLoad(service.url, settings.seconds, settings.rate, CONNECTIONS));
    }
    log(
      `request rate: round ${round + 1}/${settings.rounds} ${OPTIONS.map(o => `${o.id} ${rounds[o.id][round].cpuMicrosPerRequest.toFixed(1)} µs/request`).join(', ')}`,
    );
  }
  return { settings: { ...settings, connections: CONNECTIONS }, options: compareRounds(rounds, METRICS), rounds };
}

module.exports = { name: 'requestRate', run };
