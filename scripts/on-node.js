'use strict';
// Runs a script of this repository (the tests, the demo, the bench) on a
// supported Node.js, whatever Node started npm:
//
//   node scripts/on-node.js <script> [args...]
//
// - TRACEHOP_NODE=<version> (22.23.5, 26.12.1, ...) runs it on exactly that
//   version; TRACEHOP_NODE=current on the Node running this script.
// - Otherwise a Node whose module.registerHooks tracehop uses (22.22.3 or
//   later 22, 24.11.1 or later 24, 25.1 or later, 26 and later) runs it
//   itself, and any other (the machine's own Node 20, say, or an older 22 or
//   24 patch release, whose hooks run in Node's loader thread, a mode CI tests
//   on its own with TRACEHOP_NODE) hands it to PINNED_NODE.
//
// A version that is not on the machine is fetched from the npm registry as the
// package node-<platform>-<arch>@<version> (the official binaries, checked
// against the registry's integrity by npm) and unpacked once into
// ${TRACEHOP_CACHE_DIR:-~/.cache/tracehop}/node/<version>/, outside the
// repository, next to the Go-built Jaeger and Collector of the e2e tests.
// The script runs with that Node's folder first on PATH, so the processes it
// spawns by the name `node` get the same Node.
//
// Written for any Node from 18 on: it is what an old Node runs.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** The Node the README's commands run on when the machine's own is too old: the current LTS. */
const PINNED_NODE = '24.22.3';
/** Per release line, the first version whose module.registerHooks runs import-in-the-middle's hooks (nodejs/node#59929). */
const IN_THREAD_HOOKS_FROM = { 22: [22, 22, 3], 24: [24, 11, 1], 25: [25, 1, 0] };

/** [major, minor, patch] of `v24.22.3`, `24.22.3` or a nightly's `v27.0.0-nightly...`; undefined for anything else. */
function parseVersion(text) {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-[\w.]+)?$/.exec(text);
  return match === null ? undefined : match.slice(1, 4).map(Number);
}

function atLeast(version, minimum) {
  for (let i = 0; i < 3; i++) {
    if (version[i] !== minimum[i]) return version[i] > minimum[i];
  }
  return true;
}

/** Whether tracehop's module hooks run in the app's thread on this Node (the mode npm test covers). */
function hasInThreadHooks(version) {
  if (version === undefined) return false;
  if (version[0] >= 26) return true;
  const from = IN_THREAD_HOOKS_FROM[version[0]];
  return from !== undefined && atLeast(version, from);
}

function cacheDir() {
  return process.env.TRACEHOP_CACHE_DIR || path.join(os.homedir(), '.cache', 'tracehop');
}

function fail(message) {
  process.stderr.write(`on-node: ${message}\n`);
  process.exit(1);
}

/** The path of Node `version`'s binary, fetched and unpacked into the cache the first time. */
function ensureNode(version) {
  const home = path.join(cacheDir(), 'node', version);
  const binary = path.join(home, 'bin', 'node');
  if (fs.existsSync(binary)) return binary;
  const pkg = `node-${process.platform}-${process.arch}@${version}`;
  process.stderr.write(`on-node: fetching Node ${version} (${pkg}) into ${home}\n`);
  fs.mkdirSync(path.dirname(home), { recursive: true });
  // Unpacked beside its final place and renamed into it, so an interrupted fetch leaves nothing half-made.
  const staging = fs.mkdtempSync(path.join(path.dirname(home), `.${version}-`));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const packed = spawnSync(npm, ['pack', pkg, '--pack-destination', staging, '--json', '--silent'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (packed.status !== 0) fail(`npm pack ${pkg} failed (exit ${packed.status})`);
    const [{ filename }] = JSON.parse(packed.stdout);
    const untarred = spawnSync('tar', ['-xzf', path.join(staging, filename), '-C', staging], { stdio: 'inherit' });
    if (untarred.status !== 0) fail(`unpacking ${filename} failed`);
    const unpacked = path.join(staging, 'package');
    if (!fs.existsSync(path.join(unpacked, 'bin', 'node'))) fail(`${pkg} has no bin/node`);
    try {
      fs.renameSync(unpacked, home);
    } catch (error) {
      // Another run got there first: theirs is as good as ours.
      if (!fs.existsSync(binary)) throw error;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}

/** The Node binary to run the script on: TRACEHOP_NODE's, this one, or the pinned one. */
function chooseNode() {
  const wanted = process.env.TRACEHOP_NODE;
  if (wanted === 'current') return process.execPath;
  if (wanted !== undefined && wanted !== '') {
    const version = parseVersion(wanted);
    if (version === undefined) fail(`TRACEHOP_NODE=${JSON.stringify(wanted)} is not a version such as 24.22.3, nor "current"`);
    if (process.version === `v${version.join('.')}`) return process.execPath;
    return ensureNode(version.join('.'));
  }
  if (hasInThreadHooks(parseVersion(process.version))) return process.execPath;
  return ensureNode(PINNED_NODE);
}

function main() {
  const [script, ...args] = process.argv.slice(2);
  if (script === undefined) fail('usage: node scripts/on-node.js <script> [args...]');
  const node = chooseNode();
  const binDir = path.dirname(node);
  const env = { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` };
  const child = spawn(node, [script, ...args], { stdio: 'inherit', env });
  // A signal to this launcher (a CI time-out, Ctrl-C) reaches the script too, then the launcher ends as the script does.
  const forward = signal => child.kill(signal);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, forward);
  child.on('error', error => fail(`could not run ${node}: ${error.message}`));
  child.on('exit', (code, signal) => {
    for (const name of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.removeListener(name, forward);
    // End as the script ended: by its signal, or with its exit code.
    if (signal !== null) {
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}

main();
