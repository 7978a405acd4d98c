'use strict';
// Starts the lost-and-stolen services under the tracehop preload, each on a
// free loopback port, and collects their pino lines. Used by demo.js and by
// the integration and end-to-end tests.
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const REGISTER = path.join(__dirname, '..', '..', 'register.js');
const START_TIMEOUT_MS = 20000;
const STOP_TIMEOUT_MS = 5000;
const running = new Set();

process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Spawns `node -r register.js script` and resolves once it logs `listening`.
 * Each line of stdout is parsed as JSON where it can be; stderr is kept too.
 */
function startService(name, script, env = {}, options = {}) {
  const args = [...(options.nodeArgs || ['-r', REGISTER]), script];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd || path.dirname(script),
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const service = {
    name,
    child,
    lines: [],
    stderr: '',
    url: undefined,
    exited: new Promise(resolve =>
      child.once('exit', (code, signal) => {
        running.delete(child);
        resolve({ code, signal });
      }),
    ),
    stop: () => stopChild(child, service.exited),
    waitForLine: (predicate, timeoutMs = 10000) => waitFor(service, () => service.lines.find(predicate), timeoutMs),
    waitForStderr: (pattern, timeoutMs = 10000) => waitFor(service, () => pattern.test(service.stderr) && service.stderr, timeoutMs),
  };
  const waiters = new Set();
  service.waiters = waiters;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', chunk => {
    service.stderr += chunk;
    for (const waiter of waiters) waiter();
  });
  const listening = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${START_TIMEOUT_MS} ms; stderr: ${service.stderr}`));
    }, START_TIMEOUT_MS);
    readline.createInterface({ input: child.stdout }).on('line', line => {
      let record;
      try {
        record = JSON.parse(line);
      } catch {
        record = { raw: line };
      }
      service.lines.push(record);
      for (const waiter of waiters) waiter();
      if (record.msg === 'listening' && service.url === undefined) {
        service.url = `http://127.0.0.1:${record.port}`;
        clearTimeout(timer);
        resolve(service);
      }
    });
    service.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening; stderr: ${service.stderr}`));
    });
  });
  return listening;
}

/**
 * Resolves with the first truthy result of `check`, run now and after every
 * stdout line and stderr chunk, so tests wait for the event instead of sleeping.
 */
function waitFor(service, check, timeoutMs) {
  const found = check();
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const waiter = () => {
      const result = check();
      if (!result) return;
      service.waiters.delete(waiter);
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      service.waiters.delete(waiter);
      reject(new Error(`${service.name}: nothing matched within ${timeoutMs} ms; stderr: ${service.stderr}`));
    }, timeoutMs);
    service.waiters.add(waiter);
  });
}

/** SIGTERM, then SIGKILL if the child has not exited within the timeout. */
function stopChild(child, exited) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    exited.then(() => clearTimeout(timer));
  }
  return exited;
}

/**
 * Starts cards, accounts and the gateway that calls them. `options.scriptName`
 * picks each service's file: `server.js` (CommonJS, the default) or
 * `server.mjs` (the same services as ES modules).
 */
async function startChain(env = {}, options = {}) {
  const dir = service => path.join(__dirname, service, options.scriptName || 'server.js');
  const started = [];
  try {
    const [cards, accounts] = await Promise.all([startService('cards', dir('cards'), env, options), startService('accounts', dir('accounts'), env, options)]);
    started.push(cards, accounts);
    const gateway = await startService('gateway', dir('gateway'), { ...env, CARDS_URL: cards.url, ACCOUNTS_URL: accounts.url }, options);
    started.push(gateway);
    return { gateway, cards, accounts, services: started, stop: () => Promise.all(started.map(s => s.stop())) };
  } catch (error) {
    await Promise.all(started.map(s => s.stop()));
    throw error;
  }
}

module.exports = { startService, startChain, REGISTER };
