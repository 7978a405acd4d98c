'use strict';
// The benchmark suite: tracehop next to the alternatives a user would pick,
// on the same machine in the same run, each as a ratio to the untraced
// service. `npm run bench` runs it in full (a few minutes on 2 cores);
// `npm run bench -- --quick` runs every scenario briefly, to prove it still
// works. `--only=requestPath,logCall` picks scenarios. The report is printed
// and written to bench/results/ as markdown and JSON. See docs/performance.md.
//
// The other agents (dd-trace, EDOT, Splunk: bench/lib/peers.js) run in every
// full run; they are installed into the cache on first use, which takes a
// minute or more, so `--quick` (CI's pass) leaves them out unless `--peers`
// is given, and `--no-peers` leaves them out of a full run.
// `--node=22|24|26` runs the suite on that release line (the versions CI
// tests, below); TRACEHOP_NODE=<version> picks any version, as everywhere.
// Without either, scripts/on-node.js's choice: Node 24.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { spawn } = require('node:child_process');
const { killAll, REPO } = require('./lib/children');
const { addPeers, describeField } = require('./lib/options');
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
// A full run with the field (seven options) took about 8 minutes for five scenarios on a busy 2-core machine.
const WATCHDOG_MS = { quick: 120_000, full: 1_500_000 };

// The release lines --node picks, at the versions .ci/run tests them on.
const NODE_LINES = { 22: '22.23.5', 24: '24.22.3', 26: '26.12.1' };
const KNOWN_FLAGS = /^--(quick|peers|no-peers|only=.*|node=.*)$/;

function parseArgs(argv) {
  const strange = argv.filter(arg => !KNOWN_FLAGS.test(arg));
  if (strange.length > 0) throw new Error(`unknown argument ${strange.join(' ')}; known: --quick, --peers, --no-peers, --only=a,b, --node=22|24|26`);
  const quick = argv.includes('--quick');
  const peers = argv.includes('--no-peers') ? false : !quick || argv.includes('--peers');
  const only = argv.find(arg => arg.startsWith('--only='));
  const names = only === undefined ? null : only.slice('--only='.length).split(',');
  const unknown = names === null ? [] : names.filter(name => !SCENARIOS.some(s => s.name === name));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map(s => s.name).join(', ')}`);
  return { quick, peers, scenarios: names === null ? SCENARIOS : SCENARIOS.filter(s => names.includes(s.name)) };
}

function log(line) {
  process.stderr.write(`bench: ${line}\n`);
}

/**
 * With --node=N on another release line, runs this script again on that line's
 * Node (through scripts/on-node.js, which fetches it once) and returns its
 * exit; otherwise null, and the suite runs here.
 */
function onOtherNode(argv) {
  const flag = argv.find(arg => arg.startsWith('--node='));
  if (flag === undefined) return null;
  const line = flag.slice('--node='.length);
  if (!(line in NODE_LINES)) throw new Error(`--node=${line}: one of ${Object.keys(NODE_LINES).join(', ')}`);
  if (process.versions.node.split('.')[0] === line) return null;
  const rest = argv.filter(arg => arg !== flag);
  const child = spawn(process.execPath, [path.join(REPO, 'scripts', 'on-node.js'), __filename, ...rest], {
    stdio: 'inherit',
    env: { ...process.env, TRACEHOP_NODE: NODE_LINES[line] },
  });
  // Ctrl-C or a CI time-out reaches the suite on the other Node too, which kills its own children.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  return new Promise(resolve => child.on('exit', (code, signal) => resolve(code ?? 128 + os.constants.signals[signal])));
}

async function main() {
  const argv = process.argv.slice(2);
  const elsewhere = onOtherNode(argv);
  if (elsewhere !== null) {
    process.exitCode = await elsewhere;
    return;
  }
  const { quick, peers, scenarios } = parseArgs(argv);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      killAll();
      // The shell's convention for a process ended by a signal: 128 + its number.
      process.exit(128 + os.constants.signals[signal]);
    });
  }
  // Before the watchdog starts: a first install's time is npm's, not the suite's.
  if (peers) {
    const field = addPeers(log);
    log(`peers: ${field.map(peer => peer.label).join(', ')}`);
  } else {
    log(`peers (dd-trace, EDOT, Splunk) skipped: ${quick ? '--quick leaves them out unless --peers is given' : '--no-peers'}`);
  }
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
    field: describeField(),
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

main().catch(error => {
  log(error && error.stack ? error.stack : String(error));
  killAll();
  process.exitCode = 1;
});
