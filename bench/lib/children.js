'use strict';
// The suite's child processes. Each is tracked from the moment it is spawned
// and killed when its scenario ends, when the suite exits (normally, on an
// error, or on SIGINT/SIGTERM through run.js), so no run leaves one behind.
// Children talk over IPC only: stdout goes to /dev/null, which is where the
// services' pino lines belong, and stderr is kept (its tail) for error reports.
const { spawn } = require('node:child_process');
const path = require('node:path');

const REPO = path.join(__dirname, '..', '..');
const STDERR_TAIL = 4000;
const DEFAULT_TIMEOUT_MS = 30000;
const live = new Set();

process.on('exit', () => killAll());

function killAll() {
  for (const child of live) child.kill('SIGKILL');
}

/**
 * Spawns `node [nodeArgs] script [args]` from the repository root, so that a
 * bare `--require @opentelemetry/...` resolves as it does for a user.
 */
function startChild(script, { nodeArgs = [], args = [], env = process.env, name = path.basename(script), stdout = 'ignore' } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    cwd: REPO,
    env,
    // `stdout` may be a file descriptor, for output the suite reads afterwards (bench/lib/gc-trace.js).
    stdio: ['ignore', stdout, 'pipe', 'ipc'],
  });
  live.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', chunk => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  const exited = new Promise(resolve =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  let nextId = 0;

  /** Resolves with the first message that `accept` returns true for; rejects on exit or after the timeout. */
  function waitForMessage(accept, timeoutMs = DEFAULT_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      const onMessage = message => {
        if (!accept(message)) return;
        done();
        resolve(message);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${name}: no answer within ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
      const onExit = (code, signal) => {
        done();
        reject(new Error(`${name} exited (${code ?? signal}); stderr: ${stderr}`));
      };
      function done() {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      }
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  }

  return {
    name,
    child,
    exited,
    get stderr() {
      return stderr;
    },
    waitForMessage,
    /** Sends `{ type, ...body }` and resolves with the child's reply to it (see apps/ipc.js). */
    request(type, body = {}, timeoutMs = DEFAULT_TIMEOUT_MS) {
      const id = ++nextId;
      const reply = waitForMessage(message => message && message.replyTo === id, timeoutMs);
      child.send({ ...body, type, id });
      return reply.then(message => {
        if (message.error) throw new Error(`${name}: ${message.error}`);
        return message;
      });
    },
    /** SIGKILL: the suite never needs a child's own shutdown (its flush, its exit handlers). */
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

/** Stops every child in `children`, whatever state each is in. */
function stopAll(children) {
  return Promise.all(children.filter(Boolean).map(handle => handle.stop()));
}

/**
 * Starts `count` children at once with `start(i)` and waits until each has
 * sent a `ready` message. If any fails, all are stopped and the error thrown.
 */
async function startReadyChildren(count, start, timeoutMs = DEFAULT_TIMEOUT_MS) {
  const children = Array.from({ length: count }, (_, i) => start(i));
  const outcomes = await Promise.allSettled(children.map(handle => handle.waitForMessage(message => message.type === 'ready', timeoutMs)));
  const failed = outcomes.find(outcome => outcome.status === 'rejected');
  if (failed === undefined) return children;
  await stopAll(children);
  throw failed.reason;
}

module.exports = { REPO, startChild, startReadyChildren, stopAll, killAll };
