'use strict';
// A throwaway redis-server (Debian's redis-server package) on a free loopback
// port, with no persistence; `null` when redis-server is not installed. Used
// by demo.js and by the tests, which start their own and stop it afterwards.
const { spawn, spawnSync } = require('node:child_process');
const net = require('node:net');

const START_TIMEOUT_MS = 15000;
const STOP_TIMEOUT_MS = 5000;

async function freePort() {
  const server = net.createServer();
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise(resolve => server.close(resolve));
  return port;
}

async function startRedis() {
  if (spawnSync('redis-server', ['--version']).error) return null;
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise(resolve => child.once('exit', resolve));
  await new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms: ${output}`));
    }, START_TIMEOUT_MS);
    const onData = chunk => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited before it was ready: ${output}`));
    });
  });
  return {
    port,
    /** SIGTERM, then SIGKILL if it has not exited within the timeout. */
    stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        exited.then(() => clearTimeout(timer));
      }
      return exited.then(() => undefined);
    },
  };
}

module.exports = { startRedis };
