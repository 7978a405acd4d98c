'use strict';
// The ways a user can run the same service, compared in every scenario:
// untraced, the auto-instrumentations preload, a minimal hand-written NodeSDK,
// and tracehop. Each exports OTLP/HTTP protobuf to the local sink under its
// own path prefix, and gets a clean environment: no OTEL_*, TRACEHOP_* or
// NODE_OPTIONS from the shell that started the suite.
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
Object.freeze(OPTIONS);

const TRACED_OPTIONS = OPTIONS.filter(option => option.preload !== null);

/** The environment for a child running `option`, exporting to `sinkUrl` under `tag`. */
function optionEnv(option, sinkUrl, tag = option.id, extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('OTEL_') || key.startsWith('TRACEHOP_') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return {
    ...env,
    OTEL_SERVICE_NAME: 'bench-service',
    OTEL_EXPORTER_OTLP_ENDPOINT: `${sinkUrl}/${tag}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    ...option.env,
    ...extra,
  };
}

/** The options in round `round`'s order: rotated, so that no option always runs first or last. */
function rotation(options, round) {
  const shift = round % options.length;
  return [...options.slice(shift), ...options.slice(0, shift)];
}

module.exports = { OPTIONS, TRACED_OPTIONS, optionEnv, rotation };
