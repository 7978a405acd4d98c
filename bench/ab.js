'use strict';
// Alternating A/B runs of service variants, for deciding a change by
// measurement on a noisy machine: every variant is started once, then loaded
// in turn for each round (the order rotated every round), and each figure is
// also given as a ratio to the first variant's in the same round.
//
//   node bench/ab.js [--rounds=5] [--seconds=4] [--rate=N] [--express[=4|5]] [--prof=DIR] [--gc] [--snapshot=DIR] [--startup] VARIANT...
//
// VARIANT is `name=option[:KEY=VALUE,...]`: option is one of bench/lib/options.js
// (none, auto, minimal, tracehop) or a peer of bench/lib/peers.js (ddtrace,
// edot, splunk, sentry; installed on first use), KEY=VALUE pairs are added to its environment,
// except `REGISTER=path` (preload that register.js instead of this checkout's,
// for comparing two checkouts) and `NODEARGS=a b` (more node options).
//   node bench/ab.js none=none head=tracehop base=tracehop:REGISTER=/work/wt-base/register.js
// --rate paces the load (lib/paced-load.js) instead of saturating; --express
// loads apps/express-service.js (with the project's `express`, Express 5;
// --express=4 runs it with Express 4, the `express4` alias, linked as
// `express` in a temporary directory, as the tests do); --prof writes a CPU
// profile per variant.
// --gc adds each round's collections as V8 logs them (--trace-gc-nvp, read by
// lib/gc-trace.js): scavenges, what each found alive and promoted, bytes
// allocated per request, full collections and pauses. --snapshot=DIR writes a
// heap snapshot of each variant halfway through one more load after the
// rounds, DIR/<variant>.heapsnapshot.
// --startup measures start-up instead of load: every round starts each
// variant cold (the order rotated), and takes the time from spawn to its port
// answering, the CPU the process used to get there, its RSS and the modules
// in its require cache at that moment (the last does not depend on the
// machine's load). Each then exits normally, as in a restart.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { OPTIONS, addPeers, rotation } = require('./lib/options');
const { PEERS } = require('./lib/peers');
const { runLoad, CONNECTIONS } = require('./lib/load');
const { runPacedLoad } = require('./lib/paced-load');
const { startSink, startService } = require('./lib/processes');
const { compareRounds } = require('./lib/stats');
const { measureLoad } = require('./lib/measure');
const { killAll, REPO } = require('./lib/children');
const gcTraceLib = require('./lib/gc-trace');

const METRICS = ['cpuMicrosPerRequest', 'requestsPerSecond', 'p99Ms', 'rssMB'];
const GC_METRICS = [
  'scavengesPerKRequests',
  'survivedKBPerScavenge',
  'promotedKBPerScavenge',
  'promotedKBPerKRequests',
  'allocatedKBPerRequest',
  'fullGCPerKRequests',
  'gcPauseMsPerKRequests',
];
const STARTUP_METRICS = ['spawnToPortMs', 'cpuToPortMs', 'rssAtStartMB', 'modules'];
const MB = 1024 * 1024;
const EXPRESS_URL_PATH = '/api/cards/1234567890123456';

/**
 * The Express app: Express 5 as installed, or Express 4 from a temporary
 * directory where `node_modules/express` links to the `express4` alias
 * (hooks match the module by name): Node then needs --preserve-symlinks, and
 * NODE_PATH for pino and Express's own dependencies.
 */
function expressApp(major) {
  const script = path.join(__dirname, 'apps', 'express-service.js');
  if (major === 5) return { script, urlPath: EXPRESS_URL_PATH, nodeArgs: [], env: {}, remove: () => {} };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracehop-bench-express4-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(path.join(REPO, 'node_modules', 'express4'), path.join(dir, 'node_modules', 'express'), 'dir');
  for (const file of ['express-service.js', 'ipc.js']) fs.copyFileSync(path.join(__dirname, 'apps', file), path.join(dir, file));
  return {
    script: path.join(dir, 'express-service.js'),
    urlPath: EXPRESS_URL_PATH,
    nodeArgs: ['--preserve-symlinks'],
    env: { NODE_PATH: path.join(REPO, 'node_modules') },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** startService for a variant, in the Express app when `app` is one (from expressApp), else the plain service. */
function startIn(app, variant, sink, options) {
  if (app === null) return startService(variant, sink, options);
  return startService({ ...variant, env: { ...variant.env, ...app.env } }, sink, {
    ...options,
    script: app.script,
    urlPath: app.urlPath,
    nodeArgs: [...app.nodeArgs, ...(options.nodeArgs ?? [])],
  });
}

function parseArgs(argv) {
  const flags = { rounds: 5, seconds: 4, rate: null, express: null, prof: null, gc: false, snapshot: null, startup: false };
  const variants = [];
  // The peers join OPTIONS only when a variant names one: installing them is slow the first time.
  if (argv.some(arg => PEERS.some(peer => new RegExp(`^[\\w.-]+=${peer.id}(:|$)`).test(arg)))) addPeers(line => process.stderr.write(`ab: ${line}\n`));
  for (const arg of argv) {
    const flag = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (flag === null) variants.push(parseVariant(arg));
    else if (flag[1] === 'express') flags.express = expressMajor(flag[2]);
    else if (flag[1] === 'gc' || flag[1] === 'startup') flags[flag[1]] = true;
    else if (flag[1] in flags) flags[flag[1]] = flag[1] === 'prof' || flag[1] === 'snapshot' ? path.resolve(flag[2]) : Number(flag[2]);
    else throw new Error(`unknown flag ${arg}`);
  }
  if (variants.length < 2) throw new Error('give at least two variants, the first being the baseline');
  return { ...flags, variants };
}

function expressMajor(value = '5') {
  if (value !== '4' && value !== '5') throw new Error(`--express=${value}: expected 4 or 5`);
  return Number(value);
}

function parseVariant(spec) {
  const match = /^([\w.-]+)=(\w+)(?::(.*))?$/.exec(spec);
  if (match === null) throw new Error(`variant ${spec}: expected name=option[:KEY=VALUE,...]`);
  const [, id, optionId, pairs = ''] = match;
  const option = OPTIONS.find(o => o.id === optionId);
  if (option === undefined) throw new Error(`variant ${spec}: unknown option ${optionId}`);
  const env = { ...option.env };
  let preload = option.nodeArgs;
  const extra = [];
  for (const pair of pairs.split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (key === 'REGISTER') preload = ['-r', path.resolve(value)];
    else if (key === 'NODEARGS') extra.push(...value.split(' ').filter(Boolean));
    else env[key] = value;
  }
  return { ...option, id, label: spec, env, nodeArgs: [...extra, ...preload] };
}

async function main() {
  const settings = parseArgs(process.argv.slice(2));
  const sink = await startSink();
  if (settings.startup) {
    try {
      return await compareStartups(settings, sink);
    } finally {
      await sink.stop();
    }
  }
  const app = settings.express === null ? null : expressApp(settings.express);
  const profArgs = variant => (settings.prof === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${settings.prof}`, `--cpu-prof-name=${variant.id}.cpuprofile`]);
  const traces = new Map(settings.gc ? settings.variants.map(variant => [variant.id, gcTraceLib.gcTrace(variant.id)]) : []);
  const gcArgs = variant => (traces.has(variant.id) ? gcTraceLib.NODE_ARGS : []);
  const services = await Promise.all(
    settings.variants.map(variant =>
      startIn(app, variant, sink, { tag: variant.id, nodeArgs: [...profArgs(variant), ...gcArgs(variant)], stdout: traces.get(variant.id)?.fd }),
    ),
  );
  const load = service => () =>
    settings.rate === null ? runLoad(service.url, settings.seconds) : runPacedLoad(service.url, settings.seconds, settings.rate, CONNECTIONS);
  try {
    for (const service of services) await (settings.rate === null ? runLoad(service.url, 1) : runPacedLoad(service.url, 1, settings.rate, CONNECTIONS));
    const rounds = Object.fromEntries(settings.variants.map(v => [v.id, []]));
    for (let round = 0; round < settings.rounds; round++) {
      for (const service of rotation(services, round))
        rounds[service.option.id][round] = settings.gc
          ? await measureWithCollections(service, load(service), traces.get(service.option.id))
          : await measureLoad(service, load(service));
      process.stderr.write(
        `round ${round + 1}/${settings.rounds}: ${services.map(s => `${s.option.id} ${rounds[s.option.id][round].cpuMicrosPerRequest.toFixed(1)} µs`).join(', ')}\n`,
      );
    }
    if (settings.snapshot !== null) for (const service of services) await snapshotMidLoad(service, settings);
    const metrics = settings.gc ? [...METRICS, ...GC_METRICS] : METRICS;
    const compared = compareRounds(rounds, metrics, settings.variants[0].id);
    const lines = [
      `${settings.rounds} rounds of ${settings.seconds} s, ${settings.rate === null ? 'saturating' : `${settings.rate} req/s`}${settings.express === null ? '' : `, Express ${settings.express} app`}; median (ratio to ${settings.variants[0].id} in the same rounds, min–max)`,
    ];
    lines.push(['variant', ...metrics, 'spans/request'].join('\t'));
    for (const service of services) {
      const { served } = await service.stats();
      const exported = await sink.counters(service.tag);
      const cells = metrics.map(metric => {
        const { value, ratio } = compared[service.option.id][metric];
        return `${value.median.toFixed(metric === 'p99Ms' || metric === 'fullGCPerKRequests' ? 3 : 1)} (${ratio.median.toFixed(2)}x ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`;
      });
      lines.push([service.option.id, ...cells, (exported.items / served).toFixed(2), `served ${served}`].join('\t'));
    }
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    // A profiled service exits by itself, writing its profile; the others are killed.
    await Promise.all(services.map(service => (settings.prof === null ? service.stop() : service.exit())));
    await sink.stop();
    for (const trace of traces.values()) trace.close();
    if (app !== null) app.remove();
  }
}

/**
 * measureLoad, with the service's collections over the load. V8 writes its
 * lines through a buffered stdout: a line or two of the load may be read
 * with the next one, which a round's tens of collections absorb.
 */
async function measureWithCollections(service, load, trace) {
  trace.readSince();
  const before = await service.stats();
  const measured = await measureLoad(service, load);
  const after = await service.stats();
  return { ...measured, ...gcTraceLib.summariseCollections(trace.readSince(), after.served - before.served) };
}

/** One more saturating load, with a heap snapshot written halfway through it. */
async function snapshotMidLoad(service, settings) {
  const file = path.join(settings.snapshot, `${service.option.id}.heapsnapshot`);
  const loading = runLoad(service.url, settings.seconds);
  await new Promise(resolve => setTimeout(resolve, (settings.seconds * 1000) / 2));
  // Writing a snapshot stops the service for a second or more: the load's timeouts do not matter here.
  await service.request('snapshot', { file }, 120000);
  await loading;
  process.stderr.write(`ab: ${file}\n`);
}

async function compareStartups(settings, sink) {
  const app = settings.express === null ? null : expressApp(settings.express);
  const rounds = Object.fromEntries(settings.variants.map(v => [v.id, []]));
  try {
    await startRounds(settings, sink, app, rounds);
  } finally {
    if (app !== null) app.remove();
  }
  reportStartups(settings, rounds);
}

async function startRounds(settings, sink, app, rounds) {
  for (let round = 0; round < settings.rounds; round++) {
    for (const variant of rotation(settings.variants, round)) {
      const service = await startIn(app, variant, sink, { tag: variant.id });
      // Closing its IPC channel, the service exits as after a SIGTERM (a restart), so that what Node writes at exit (a compile cache) is written.
      await service.exit();
      const { cpu, rss, modules } = service.listening;
      rounds[variant.id][round] = { spawnToPortMs: service.spawnToListenMs, cpuToPortMs: (cpu.user + cpu.system) / 1000, rssAtStartMB: rss / MB, modules };
    }
    process.stderr.write(
      `round ${round + 1}/${settings.rounds}: ${settings.variants.map(v => `${v.id} ${rounds[v.id][round].cpuToPortMs.toFixed(0)} ms CPU`).join(', ')}\n`,
    );
  }
}

function reportStartups(settings, rounds) {
  const compared = compareRounds(rounds, STARTUP_METRICS, settings.variants[0].id);
  const lines = [`${settings.rounds} cold starts each, alternating; median (ratio to ${settings.variants[0].id} in the same rounds, min–max)`];
  lines.push(['variant', ...STARTUP_METRICS].join('\t'));
  for (const variant of settings.variants) {
    const cells = STARTUP_METRICS.map(metric => {
      const { value, ratio } = compared[variant.id][metric];
      return `${value.median.toFixed(metric === 'modules' ? 0 : 1)} (${ratio.median.toFixed(2)}x ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`;
    });
    lines.push([variant.id, ...cells].join('\t'));
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch(error => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  killAll();
  process.exitCode = 1;
});
