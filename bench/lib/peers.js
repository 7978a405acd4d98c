'use strict';
// The other agents a user might pick instead of tracehop: Datadog's dd-trace,
// Elastic's EDOT, Splunk's distribution and Sentry's Node SDK (tracing on). They are benchmark-only and are
// never installed into the project's tree: each brings its own copies of the
// OpenTelemetry packages, and mixing them with tracehop's would change what
// every option measures. So bench/peers/package.json pins them, and
// `ensurePeers` installs each into its own folder under
// ${TRACEHOP_CACHE_DIR:-~/.cache/tracehop}/bench-peers-<hash of that file>/,
// once (a changed pin is a new hash, so a new folder). Each peer gets a folder
// of its own, not one shared tree, because EDOT and Splunk pin different
// OpenTelemetry versions and npm cannot always place both in one tree. The
// preload is then given to node by absolute path, so it resolves its
// dependencies from that folder and the app's (pino, express) from ours.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { pathToFileURL } = require('node:url');

const MANIFEST = path.join(__dirname, '..', 'peers', 'package.json');
// The cloud resource detectors probe metadata endpoints off the machine; the suite stays on loopback.
const LOCAL_DETECTORS = 'env,host,os,process,serviceinstance,container';
const SENTRY_INIT = path.join(__dirname, '..', 'apps', 'sentry-init.mjs');

/**
 * Each peer as an option (bench/lib/options.js): its package, the preload
 * inside it, and the settings it runs with. Every peer exports every span to
 * the suite's sink; only traces and log correlation are on, the work tracehop
 * does, and nothing that would reach the network.
 */
const PEERS = [
  {
    id: 'ddtrace',
    name: 'dd-trace',
    preload: 'init.js',
    env: {
      // Extras that talk to a real agent or to Datadog, or add work tracehop does not do.
      DD_REMOTE_CONFIGURATION_ENABLED: 'false',
      DD_TELEMETRY_ENABLED: 'false',
      DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
      DD_RUNTIME_METRICS_ENABLED: 'false',
      DD_PROFILING_ENABLED: 'false',
      DD_CRASHTRACKING_ENABLED: 'false',
      DD_TRACE_STARTUP_LOGS: 'false',
      // trace and span ids on every pino line, as tracehop's log correlation.
      DD_LOGS_INJECTION: 'true',
      // Its default, written out: every span is kept and sent.
      DD_TRACE_SAMPLE_RATE: '1',
    },
    // The agent intake has a fixed path (/v0.4/traces), so the sink tells services apart by the span's service name.
    sinkEnv: (sinkUrl, tag) => ({ DD_TRACE_AGENT_URL: sinkUrl, DD_SERVICE: tag }),
    // The log-call worker starts its spans through the OpenTelemetry API; this makes them dd-trace's spans.
    logCallEnv: { DD_TRACE_OTEL_ENABLED: 'true' },
  },
  {
    id: 'edot',
    name: '@elastic/opentelemetry-node',
    preload: 'require.js',
    env: {
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_NODE_RESOURCE_DETECTORS: LOCAL_DETECTORS,
    },
  },
  {
    id: 'splunk',
    name: '@splunk/otel',
    preload: 'instrument.js',
    env: {
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      SPLUNK_METRICS_ENABLED: 'false',
      SPLUNK_PROFILER_ENABLED: 'false',
      OTEL_NODE_RESOURCE_DETECTORS: LOCAL_DETECTORS,
    },
  },
  {
    id: 'sentry',
    name: '@sentry/node',
    // No preload of its own starts it: apps/sentry-init.mjs is the instrument file, with --import.
    importFile: SENTRY_INIT,
    env: {
      // Tracing on, every transaction kept and sent.
      SENTRY_TRACES_SAMPLE_RATE: '1',
    },
    // The DSN's path gives each service its prefix at the sink (apps/otlp-sink.js); project 1.
    sinkEnv: (sinkUrl, tag) => ({ SENTRY_DSN: `${sinkUrl.replace('://', '://bench@')}/${tag}/1` }),
  },
];

function cacheDir() {
  return process.env.TRACEHOP_CACHE_DIR || path.join(os.homedir(), '.cache', 'tracehop');
}

/** The folder the pinned peers go into: a new one whenever bench/peers/package.json changes. */
function peersDir() {
  const hash = crypto.createHash('sha256').update(fs.readFileSync(MANIFEST)).digest('hex').slice(0, 12);
  return path.join(cacheDir(), `bench-peers-${hash}`);
}

/**
 * Installs any peer not yet in the cache (npm, a minute or two the first
 * time) and returns the peers as options, each with its installed version.
 */
function ensurePeers({ log = () => {} } = {}) {
  const manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
  const root = peersDir();
  return PEERS.map(peer => {
    const version = manifest.dependencies[peer.name];
    const prefix = path.join(root, peer.id);
    const done = path.join(prefix, '.installed');
    if (!fs.existsSync(done)) {
      log(`installing ${peer.name}@${version} into ${prefix}`);
      // Into a folder of this process's own, renamed into place when complete:
      // an interrupted install or a second suite installing at the same time
      // never leaves a half-filled folder that looks installed.
      const staging = `${prefix}.${process.pid}`;
      fs.rmSync(staging, { recursive: true, force: true });
      fs.mkdirSync(staging, { recursive: true });
      // The pin alone, as this folder's own package.json.
      fs.writeFileSync(path.join(staging, 'package.json'), JSON.stringify({ private: true, dependencies: { [peer.name]: version } }, null, 2));
      const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', '--prefix', staging], {
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
      });
      if (npm.status !== 0) {
        fs.rmSync(staging, { recursive: true, force: true });
        throw new Error(`npm install of ${peer.name}@${version} failed (${npm.status ?? npm.signal}): ${(npm.stderr || '').slice(-2000)}`);
      }
      fs.writeFileSync(path.join(staging, '.installed'), `${version}\n`);
      fs.rmSync(prefix, { recursive: true, force: true });
      try {
        fs.renameSync(staging, prefix);
      } catch (error) {
        // Another suite renamed its copy first: use that one.
        fs.rmSync(staging, { recursive: true, force: true });
        if (!fs.existsSync(done)) throw error;
      }
    }
    const packageDir = path.join(prefix, 'node_modules', ...peer.name.split('/'));
    const installed = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')).version;
    const preload = peer.importFile ?? path.join(packageDir, peer.preload);
    // The log-call worker makes its spans through the OpenTelemetry API. The
    // project's copy (1.10) finds a peer's global tracer provider, registered
    // through the peer's own older copy (1.9), incompatible and falls back to
    // no-op spans; the peer's copy is the one an app deduped with it would use.
    // A peer without one (Sentry 11) gets the project's.
    const api = apiBeside(packageDir);
    return {
      id: peer.id,
      label: `${peer.name} ${installed}`,
      peer: true,
      version: installed,
      nodeArgs: peer.importFile === undefined ? ['--require', preload] : ['--import', pathToFileURL(preload).href],
      preload,
      env: peer.importFile === undefined ? peer.env : { ...peer.env, BENCH_SENTRY_ENTRY: pathToFileURL(esmEntry(packageDir)).href },
      sinkEnv: peer.sinkEnv,
      logCallEnv: { ...peer.logCallEnv, BENCH_OTEL_API: api },
    };
  });
}

function apiBeside(packageDir) {
  try {
    return require.resolve('@opentelemetry/api', { paths: [packageDir] });
  } catch {
    return require.resolve('@opentelemetry/api');
  }
}

/** The file a package's `import` of its root resolves to (its package.json `exports`). */
function esmEntry(packageDir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const root = manifest.exports?.['.'];
  const target = root?.import?.default ?? root?.import ?? root?.default ?? manifest.module ?? manifest.main;
  return path.join(packageDir, typeof target === 'string' ? target : 'index.js');
}

module.exports = { PEERS, ensurePeers, peersDir };
