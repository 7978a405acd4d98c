'use strict';
// The ways a user can run the same service, compared in every scenario:
// untraced, the auto-instrumentations preload, a minimal hand-written NodeSDK,
// and tracehop; with `--peers`, also the other agents of bench/lib/peers.js
// (dd-trace, EDOT, Splunk). Each exports to the local sink under its own tag
// (OTLP/HTTP protobuf under a path prefix; dd-trace by its agent protocol,
// under its service name), and gets a clean environment: no OTEL_*, DD_*,
// SPLUNK_*, ELASTIC_*, TRACEHOP_* or NODE_OPTIONS from the shell that started
// the suite.
const fs = require('node:fs');
const path = require('node:path');
const { REPO } = require('./children');

const AUTO_REGISTER = '@opentelemetry/auto-instrumentations-node/register';
const MINIMAL_SDK = path.join(__dirname, '..', 'apps', 'minimal-sdk.js');
const TRACEHOP_REGISTER = path.join(REPO, 'register.js');

const OPTIONS = [
  {
    id: 'none',
    label: 'no tracing',
    nodeArgs: [],
    preload: null,
    env: {},
  },
  {
    id: 'auto',
    label: 'auto-instrumentations-node',
    nodeArgs: ['--require', AUTO_REGISTER],
    preload: AUTO_REGISTER,
    // Its defaults, except the cloud resource detectors: they probe metadata
    // endpoints off the machine, and the suite stays on loopback. Logs and
    // metrics stay on (OTLP), as a user of this preload gets them.
    env: { OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance,container' },
  },
  {
    id: 'minimal',
    label: 'NodeSDK http+pino',
    nodeArgs: ['--require', MINIMAL_SDK],
    preload: MINIMAL_SDK,
    // Traces and log correlation only, the same work tracehop does.
    env: { OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
  },
  {
    id: 'tracehop',
    label: 'tracehop',
    nodeArgs: ['-r', TRACEHOP_REGISTER],
    preload: TRACEHOP_REGISTER,
    env: {},
  },
];

// BENCH_BASELINE_REGISTER=/path/to/other/register.js adds that checkout's
// tracehop as one more option, `baseline`, for a before/after comparison in
// the same run (docs/performance.md). Its environment is tracehop's.
if (process.env.BENCH_BASELINE_REGISTER) {
  const register = path.resolve(process.env.BENCH_BASELINE_REGISTER);
  OPTIONS.push({ id: 'baseline', label: `tracehop at ${path.dirname(register)}`, nodeArgs: ['-r', register], preload: register, env: {} });
}

const TRACED_OPTIONS = OPTIONS.filter(option => option.preload !== null);

/**
 * Adds the peers (bench/lib/peers.js, installed on first use) to OPTIONS and
 * TRACED_OPTIONS. The lists are changed in place, before any scenario runs,
 * because every scenario reads them when it runs, not when it is required.
 */
function addPeers(log) {
  const peers = require('./peers').ensurePeers({ log });
  OPTIONS.push(...peers);
  TRACED_OPTIONS.push(...peers);
  return peers;
}

// Every agent's settings, so that none leaks from the shell into a measured process.
const CLEARED_PREFIXES = ['OTEL_', 'TRACEHOP_', 'DD_', 'SPLUNK_', 'ELASTIC_'];

/** The environment for a child running `option`, exporting to `sinkUrl` under `tag`. */
function optionEnv(option, sinkUrl, tag = option.id, extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (CLEARED_PREFIXES.some(prefix => key.startsWith(prefix)) || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return {
    ...env,
    OTEL_SERVICE_NAME: 'bench-service',
    OTEL_EXPORTER_OTLP_ENDPOINT: `${sinkUrl}/${tag}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    ...option.env,
    ...(option.sinkEnv ? option.sinkEnv(sinkUrl, tag) : {}),
    ...extra,
  };
}

/**
 * Every option as the report prints it: its version and the settings it runs
 * with beyond the shared OTEL_SERVICE_NAME and OTLP endpoint (the per-service
 * values a peer gets from the sink, shown with the tag `<tag>`).
 */
function describeField() {
  return OPTIONS.map(option => ({
    id: option.id,
    label: option.label,
    version: option.version ?? versionOf(option),
    preload: option.preload === null ? null : path.relative(REPO, option.preload).startsWith('..') ? option.preload : path.relative(REPO, option.preload),
    settings: { ...option.env, ...(option.sinkEnv ? option.sinkEnv('<sink>', '<tag>') : {}), ...(option.logCallEnv ?? {}) },
  }));
}

function versionOf(option) {
  const name = { auto: '@opentelemetry/auto-instrumentations-node', minimal: '@opentelemetry/sdk-node', tracehop: null }[option.id];
  if (name === undefined) return null;
  try {
    // Read from the tree, not require(): some packages' `exports` do not list package.json.
    const file = name === null ? path.join(REPO, 'package.json') : path.join(REPO, 'node_modules', ...name.split('/'), 'package.json');
    return JSON.parse(fs.readFileSync(file, 'utf8')).version;
  } catch {
    return null;
  }
}

/** The options in round `round`'s order: rotated, so that no option always runs first or last. */
function rotation(options, round) {
  const shift = round % options.length;
  return [...options.slice(shift), ...options.slice(0, shift)];
}

module.exports = { OPTIONS, TRACED_OPTIONS, addPeers, describeField, optionEnv, rotation };
