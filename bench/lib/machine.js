'use strict';
// What the figures were measured on, recorded with every run: the machine,
// Node, the load on it, and the versions of every package compared.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { REPO } = require('./children');

const PACKAGES = [
  'tracehop',
  '@opentelemetry/sdk-node',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/instrumentation-http',
  '@opentelemetry/instrumentation-undici',
  '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/auto-instrumentations-node',
  '@opentelemetry/instrumentation-pino',
  'pino',
  'express',
  'autocannon',
];

function packageVersion(name) {
  const file = name === 'tracehop' ? path.join(REPO, 'package.json') : path.join(REPO, 'node_modules', name, 'package.json');
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')).version;
  } catch {
    return null;
  }
}

/** The commit measured, `+` marking uncommitted changes; null outside a git checkout. */
function gitCommit() {
  try {
    const run = args => execFileSync('git', args, { cwd: REPO, encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return run(['rev-parse', '--short', 'HEAD']) + (run(['status', '--porcelain', '--untracked-files=no']) === '' ? '' : '+');
  } catch {
    return null;
  }
}

function describeMachine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0] ? cpus[0].model : 'unknown',
    cpus: cpus.length,
    memoryGB: Math.round(os.totalmem() / 1024 ** 3),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit: gitCommit(),
    packages: Object.fromEntries(PACKAGES.map(name => [name, packageVersion(name)])),
  };
}

/** The 1-minute load average: how busy the machine was with other work. */
function loadAverage() {
  return Number(os.loadavg()[0].toFixed(2));
}

module.exports = { describeMachine, loadAverage };
