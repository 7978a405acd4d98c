'use strict';
// Request path: the same small service under each option, loaded in turn on
// loopback with autocannon. Per option and round: throughput, p50 and p99
// latency, the service's own CPU time per request served (process.cpuUsage
// read over IPC just before and after its load), and its RSS afterwards.
// Every traced option exports every span to the local sink, so CPU per
// request includes encoding and sending them.
const { OPTIONS, rotation } = require('../lib/options');
const { runLoad, CONNECTIONS } = require('../lib/load');
const { compareRounds, ratioSummary } = require('../lib/stats');
const { measureLoad } = require('../lib/measure');

const SETTINGS = {
  full: { rounds: 5, seconds: 4, warmUpSeconds: 2 },
  quick: { rounds: 1, seconds: 0.5, warmUpSeconds: 0.25 },
};
const METRICS = ['requestsPerSecond', 'p50Ms', 'p99Ms', 'cpuMicrosPerRequest', 'rssMB'];

async function run({ quick, sink, services: pool, log }) {
  const settings = quick ? SETTINGS.quick : SETTINGS.full;
  const services = await pool.get();
  // JIT, connection set-up and the exporters' first batches happen here, unmeasured.
  for (const service of services) await runLoad(service.url, settings.warmUpSeconds);
  const rounds = Object.fromEntries(OPTIONS.map(option => [option.id, []]));
  for (let round = 0; round < settings.rounds; round++) {
    for (const service of rotation(services, round)) {
      rounds[service.option.id][round] = await measureLoad(service, () => runLoad(service.url, settings.seconds));
    }
    log(
      `request path: round ${round + 1}/${settings.rounds} ${OPTIONS.map(o => `${o.id} ${Math.round(rounds[o.id][round].requestsPerSecond)} req/s`).join(', ')}`,
    );
  }
  const byOption = compareRounds(rounds, METRICS);
  for (const service of services) {
    // Both counts cover the service's whole life, so they agree whatever ran on it before.
    const { served } = await service.stats();
    const exported = await sink.counters(service.tag);
    byOption[service.option.id].export = {
      spansPerRequest: exported.items / served,
      bytesPerSpan: exported.items === 0 ? null : exported.bytes / exported.items,
    };
  }
  return {
    settings: { ...settings, connections: CONNECTIONS },
    options: byOption,
    tracehopToAuto: {
      requestsPerSecond: ratioSummary(
        rounds.tracehop.map(r => r.requestsPerSecond),
        rounds.auto.map(r => r.requestsPerSecond),
      ),
    },
    // Issue 23's targets against dd-trace, round by round, when the peers ran.
    tracehopToDdtrace: rounds.ddtrace
      ? Object.fromEntries(
          ['cpuMicrosPerRequest', 'requestsPerSecond'].map(metric => [
            metric,
            ratioSummary(
              rounds.tracehop.map(r => r[metric]),
              rounds.ddtrace.map(r => r[metric]),
            ),
          ]),
        )
      : null,
    rounds,
  };
}

module.exports = { name: 'requestPath', run };
