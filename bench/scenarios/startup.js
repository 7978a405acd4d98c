'use strict';
// Start-up: for each option, the time from spawning the service to its port
// accepting connections (the listen callback, reported over IPC), the CPU
// time the process used to get there (less disturbed by other work on the
// machine than the wall time), its RSS at that moment, and, in a separate
// fresh process, the time `require` of the preload alone takes. Options
// alternate, one cold process each per round.
const path = require('node:path');
const { OPTIONS, TRACED_OPTIONS, optionEnv, rotation } = require('../lib/options');
const { startService } = require('../lib/processes');
const { startChild } = require('../lib/children');
const { compareRounds, summary } = require('../lib/stats');

const REQUIRE_TIME = path.join(__dirname, '..', 'apps', 'require-time.js');
const SETTINGS = { full: { rounds: 5 }, quick: { rounds: 1 } };
const MB = 1024 * 1024;

async function run({ quick, sink, log }) {
  const settings = quick ? SETTINGS.quick : SETTINGS.full;
  const rounds = Object.fromEntries(OPTIONS.map(option => [option.id, []]));
  const requireMs = Object.fromEntries(TRACED_OPTIONS.map(option => [option.id, []]));
  for (let round = 0; round < settings.rounds; round++) {
    for (const option of rotation(OPTIONS, round)) {
      const service = await startService(option, sink, { tag: `startup-${option.id}` });
      await service.stop();
      const { cpu, rss } = service.listening;
      rounds[option.id][round] = {
        spawnToPortMs: service.spawnToListenMs,
        cpuToPortMs: (cpu.user + cpu.system) / 1000,
        rssAtStartMB: rss / MB,
      };
      if (option.preload !== null) requireMs[option.id].push(await timeRequire(option, sink));
    }
  }
  log(`start-up: ${OPTIONS.map(o => `${o.id} ${Math.round(rounds[o.id][0].spawnToPortMs)} ms`).join(', ')} (first round)`);
  const byOption = compareRounds(rounds, ['spawnToPortMs', 'cpuToPortMs', 'rssAtStartMB']);
  for (const option of TRACED_OPTIONS) byOption[option.id].requirePreloadMs = summary(requireMs[option.id]);
  return { settings, options: byOption, rounds, requireMs };
}

async function timeRequire(option, sink) {
  const handle = startChild(REQUIRE_TIME, {
    name: `require-time (${option.id})`,
    args: [option.preload],
    env: optionEnv(option, sink.url, `startup-${option.id}`),
  });
  try {
    return (await handle.waitForMessage(message => message.type === 'required')).ms;
  } finally {
    await handle.stop();
  }
}

module.exports = { name: 'startup', run };
