'use strict';
// A throwaway redis-server for the demo, on a free loopback port, with no
// persistence; `null` when redis-server is not installed.
const { spawn, spawnSync } = require('node:child_process');
const net = require('node:net');

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
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise(resolve => child.once('exit', resolve));
  await new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 15000);
    child.stdout.on('data', chunk => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    exited.then(() => reject(new Error(`redis-server exited: ${output}`)));
  });
  return {
    port,
    stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

module.exports = { startRedis };
