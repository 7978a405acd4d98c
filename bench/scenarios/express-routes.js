'use strict';
// An Express app with ten middlewares and parameterised routes in nested
// routers: untraced, auto-instrumentations-node (its Express instrumentation
// makes a span per middleware and names the route), tracehop (route names
// on the server span, no middleware spans) and, with peers, the other agents
// at their defaults for Express, in alternating rounds. CPU per
// request is the service's own, over IPC, as in the request path; spans per
// request shows the middleware spans (tracehop exports one per request).
const path = require('node:path');
const { OPTIONS, rotation } = require('../lib/options');
const { runLoad, CONNECTIONS } = require('../lib/load');
const { startServices } = require('../lib/processes');
const { compareRounds, ratioSummary } = require('../lib/stats');
const { measureLoad } = require('../lib/measure');

const SETTINGS = {
  full: { rounds: 3, seconds: 4, warmUpSeconds: 2 },
  quick: { rounds: 1, seconds: 0.5, warmUpSeconds: 0.25 },
};
const SCRIPT = path.join(__dirname, '..', 'apps', 'express-service.js');
// Chosen when the scenario runs, not when it is required: the peers join OPTIONS in between.
const compared = () => OPTIONS.filter(option => ['none', 'auto', 'tracehop'].includes(option.id) || option.peer);
const METRICS = ['requestsPerSecond', 'p99Ms', 'cpuMicrosPerRequest'];

async function run({ quick, sink, log }) {
  const settings = quick ? SETTINGS.quick : SETTINGS.full;
  const COMPARED = compared();
  const services = await startServices(COMPARED, sink, { tagPrefix: 'express', script: SCRIPT, urlPath: '/api/cards/1234567890123456' });
  try {
    for (const service of services) await runLoad(service.url, settings.warmUpSeconds);
    const rounds = Object.fromEntries(COMPARED.map(option => [option.id, []]));
    for (let round = 0; round < settings.rounds; round++) {
      for (const service of rotation(services, round))
        rounds[service.option.id][round] = await measureLoad(service, () => runLoad(service.url, settings.seconds));
      log(
        `express routes: round ${round + 1}/${settings.rounds} ${COMPARED.map(o => `${o.id} ${Math.round(rounds[o.id][round].cpuMicrosPerRequest)} µs/request`).join(', ')}`,
      );
    }
    const byOption = compareRounds(rounds, METRICS);
    for (const service of services) {
      const { served } = await service.stats();
      byOption[service.option.id].spansPerRequest = (await sink.counters(service.tag)).items / served;
    }
    return {
      settings: { ...settings, connections: CONNECTIONS },
      options: byOption,
      tracehopToAuto: {
        cpuMicrosPerRequest: ratioSummary(
          rounds.tracehop.map(r => r.cpuMicrosPerRequest),
          rounds.auto.map(r => r.cpuMicrosPerRequest),
        ),
      },
      tracehopToDdtrace: rounds.ddtrace
        ? {
            cpuMicrosPerRequest: ratioSummary(
              rounds.tracehop.map(r => r.cpuMicrosPerRequest),
              rounds.ddtrace.map(r => r.cpuMicrosPerRequest),
            ),
          }
        : null,
      rounds,
    };
  } finally {
    await Promise.all(services.map(service => service.stop()));
  }
}

module.exports = { name: 'expressRoutes', run };
