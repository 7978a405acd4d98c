'use strict';
// The benchmark suite: tracehop next to the alternatives a user would pick,
// on the same machine in the same run, each as a ratio to the untraced
// service. `npm run bench` runs it in full (a few minutes on 2 cores);
// `npm run bench -- --quick` runs every scenario briefly, to prove it still
// works. `--only=requestPath,logCall` picks scenarios. The report is printed
// and written to bench/results/ as markdown and JSON. See docs/performance.md.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { killAll } = require('./lib/children');
const { servicePool, startSink } = require('./lib/processes');
const { describeMachine, loadAverage } = require('./lib/machine');
const { checkTargets } = require('./lib/targets');
const { renderReport } = require('./lib/report');

const SCENARIOS = [
  require('./scenarios/request-path'),
  require('./scenarios/request-rate'),
  require('./scenarios/log-call'),
  require('./scenarios/startup'),
  require('./scenarios/memory'),
  require('./scenarios/export'),
  require('./scenarios/export-stall'),
  require('./scenarios/tree'),
  require('./scenarios/express-routes'),
];
const RESULTS_DIR = path.join(__dirname, 'results');
// Bounds on the whole run: past these something is stuck, and every child is killed.
const WATCHDOG_MS = { quick: 120_000, full: 900_000 };

function parseArgs(argv) {
  const quick = argv.includes('--quick');
  const only = argv.find(arg => arg.startsWith('--only='));
  const names = only === undefined ? null : only.slice('--only='.length).split(',');
  const unknown = names === null ? [] : names.filter(name => !SCENARIOS.some(s => s.name === name));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map(s => s.name).join(', ')}`);
  return { quick, scenarios: names === null ? SCENARIOS : SCENARIOS.filter(s => names.includes(s.name)) };
}

function log(line) {
  process.stderr.write(`bench: ${line}\n`);
}

async function main() {
  const { quick, scenarios } = parseArgs(process.argv.slice(2));
  const mode = quick ? 'quick' : 'full';
  const watchdog = setTimeout(() => {
    log(`still running after ${WATCHDOG_MS[mode] / 1000} s: stopping`);
    killAll();
    process.exit(1);
  }, WATCHDOG_MS[mode]);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const before = loadAverage();
  const sink = await startSink();
  const services = servicePool(sink);
  const results = {};
  try {
    for (const scenario of scenarios) {
      const scenarioStarted = performance.now();
      results[scenario.name] = await scenario.run({ quick, sink, services, log });
      log(`${scenario.name} took ${((performance.now() - scenarioStarted) / 1000).toFixed(1)} s`);
    }
  } finally {
    await services.stop();
    await sink.stop();
    clearTimeout(watchdog);
  }
  const report = {
    mode,
    startedAt,
    durationSeconds: (performance.now() - started) / 1000,
    loadAverage: { before, after: loadAverage() },
    machine: describeMachine(),
    results,
  };
  report.targets = checkTargets(results);
  const markdown = renderReport(report);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = startedAt.replace(/[:.]/g, '-');
  fs.writeFileSync(path.join(RESULTS_DIR, `${mode}-${stamp}.json`), JSON.stringify(report, null, 2) + '\n');
  fs.writeFileSync(path.join(RESULTS_DIR, `${mode}-${stamp}.md`), markdown);
  process.stdout.write(markdown);
  log(`written to bench/results/${mode}-${stamp}.{md,json}`);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    // The shell's convention for a process ended by a signal: 128 + its number.
    process.exit(128 + os.constants.signals[signal]);
  });
}

main().catch(error => {
  log(error && error.stack ? error.stack : String(error));
  killAll();
  process.exitCode = 1;
});
