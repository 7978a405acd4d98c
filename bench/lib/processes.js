'use strict';
// Starting the suite's two kinds of long-lived process: the OTLP sink, and
// the service under one option. Both listen on ephemeral loopback ports and
// say so over IPC.
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { startChild } = require('./children');
const { OPTIONS, optionEnv } = require('./options');

const SINK = path.join(__dirname, '..', 'apps', 'otlp-sink.js');
const SERVICE = path.join(__dirname, '..', 'apps', 'service.js');
const START_TIMEOUT_MS = 20000;

async function startSink() {
  const handle = startChild(SINK, { name: 'otlp-sink' });
  try {
    const { port } = await handle.waitForMessage(message => message.type === 'listening', START_TIMEOUT_MS);
    return {
      url: `http://127.0.0.1:${port}`,
      /** Requests, bytes and items received under `tag` for `signal` (traces, logs, metrics). */
      async counters(tag, signal = 'traces') {
        const { counters } = await handle.request('stats');
        return counters[`${tag} ${signal}`] || { requests: 0, bytes: 0, items: 0, uncounted: 0 };
      },
      stop: () => handle.stop(),
    };
  } catch (error) {
    await handle.stop();
    throw error;
  }
}

/**
 * Starts apps/service.js (or `script`, asked for at `urlPath`) under `option` and resolves once it listens, with
 * the time from spawn to that moment as the parent saw it.
 */
async function startService(option, sink, { tag = option.id, nodeArgs = [], script = SERVICE, urlPath = '/cards/1234567890123456/', stdout } = {}) {
  const started = performance.now();
  const handle = startChild(script, {
    name: `service (${option.id})`,
    nodeArgs: [...nodeArgs, ...option.nodeArgs],
    env: optionEnv(option, sink.url, tag),
    stdout,
  });
  try {
    const listening = await handle.waitForMessage(message => message.type === 'listening', START_TIMEOUT_MS);
    return {
      option,
      tag,
      url: `http://127.0.0.1:${listening.port}${urlPath}`,
      spawnToListenMs: performance.now() - started,
      pid: handle.child.pid,
      listening,
      stats: (gc = false) => handle.request('stats', { gc }),
      /** Any other request of apps/ipc.js ('snapshot'). */
      request: (type, body, timeoutMs) => handle.request(type, body, timeoutMs),
      get stderr() {
        return handle.stderr;
      },
      stop: () => handle.stop(),
      /** Closes the IPC channel, on which the service exits by itself (writing a --cpu-prof profile). */
      exit: () => {
        handle.child.disconnect();
        return handle.exited;
      },
    };
  } catch (error) {
    await handle.stop();
    throw error;
  }
}

/**
 * Starts one service per option, all at once (for scenarios that do not
 * measure start-up), in the order given. If any fails, the others are
 * stopped before the error is thrown.
 */
async function startServices(options, sink, settings = {}) {
  const outcomes = await Promise.allSettled(options.map(option => startService(option, sink, { ...settings, tag: `${settings.tagPrefix}-${option.id}` })));
  const failed = outcomes.find(outcome => outcome.status === 'rejected');
  if (failed === undefined) return outcomes.map(outcome => outcome.value);
  await Promise.all(outcomes.filter(outcome => outcome.status === 'fulfilled').map(outcome => outcome.value.stop()));
  throw failed.reason;
}

/**
 * One service per option, started on first use and shared by the scenarios
 * that load them (the request path, then memory over the longer run), so a
 * run starts them once. With --expose-gc, which only adds `global.gc` for
 * the memory scenario's heap reading.
 */
function servicePool(sink) {
  let started;
  return {
    get() {
      started ??= startServices(OPTIONS, sink, { tagPrefix: 'service', nodeArgs: ['--expose-gc'] });
      return started;
    },
    async stop() {
      if (started === undefined) return;
      const services = await started.catch(() => []);
      await Promise.all(services.map(service => service.stop()));
    },
  };
}

module.exports = { startSink, startService, startServices, servicePool };
