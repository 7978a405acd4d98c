'use strict';
// The README's demo: starts the three services under tracehop, reports a lost
// card through the gateway, and prints every service's pino lines for that
// request, grouped by request_id, chain first.
//
// With no argument the request carries no id, so the id is born at the
// gateway and its chain is the id alone; `npm run demo -- <id>` sends that id
// as a bare X-Request-ID, as a browser or a load balancer would, and the
// gateway's chain is then `<id>,<gateway hop>`.
//
// Spans go to the OTLP endpoint in OTEL_EXPORTER_OTLP_ENDPOINT when it is set
// (a collector or Jaeger); without it they go to `tracehop view`, embedded
// here, and the demo ends with the request's trace drawn as a tree, each
// service's lines under their spans.
//
// With redis-server installed, the gateway also queues "send the replacement
// card letter" on BullMQ, and the letters worker (letters/worker.js) sends it
// and queues a follow-up: their lines show job_id and parent_job_id.
const path = require('node:path');
const { startChain, startService } = require('./chain');
const { startEmbeddedView } = require('./embedded-view');
const { startRedis } = require('./redis');

async function main() {
  const external = process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const view = external ? undefined : await startEmbeddedView();
  const env = view ? { OTEL_EXPORTER_OTLP_ENDPOINT: view.url } : {};
  const redis = await startRedis();
  if (redis === null) console.log('redis-server is not installed: skipping the background jobs part (apt-get install -y redis-server)\n');
  const jobsEnv = redis === null ? {} : { REDIS_PORT: String(redis.port) };
  let chain;
  let letters;
  try {
    [chain, letters] = await Promise.all([
      startChain({ ...env, ...jobsEnv }),
      redis === null ? undefined : startService('letters', path.join(__dirname, 'letters', 'worker.js'), { ...env, ...jobsEnv }),
    ]);
  } catch (error) {
    await redis?.stop();
    throw error;
  }
  try {
    const requestId = process.argv[2];
    const res = await fetch(`${chain.gateway.url}/cards/lost_and_stolen/`, {
      method: 'POST',
      headers: requestId === undefined ? {} : { 'X-Request-ID': requestId },
    });
    console.log(`POST /cards/lost_and_stolen/ -> ${res.status}, X-Request-ID: ${res.headers.get('x-request-id')}\n`);
    await res.text();
    if (letters) await letters.waitForLine(line => line.msg.startsWith('follow-up'), 20000);
  } finally {
    await Promise.all([chain.stop(), letters?.stop()]);
    await redis?.stop();
  }
  const services = letters ? [...chain.services, letters] : chain.services;
  const lines = services
    .flatMap(service => service.lines.filter(line => line.request_id).map(line => ({ service: service.name, ...line })))
    .sort((a, b) => a.time - b.time);
  for (const line of lines) {
    const jobs = line.job_id === undefined ? '' : ` (job_id ${line.job_id}${line.parent_job_id === undefined ? '' : `, parent_job_id ${line.parent_job_id}`})`;
    console.log(
      `${line.request_chain.padEnd(56)} ${line.service.padEnd(8)} ${(line.method || '').padEnd(6)} ${(line.path || '').padEnd(28)} ${line.msg}${jobs}`,
    );
  }
  console.log(`\ntrace_id of every line: ${[...new Set(lines.map(line => line.trace_id))].join(', ')}`);
  console.log('\nOne pino line in full:');
  console.log(JSON.stringify(lines.find(line => line.service === 'cards')));
  if (view) {
    // The services flushed their spans as they stopped; the lines go in as `tracehop view` reads them from stdin.
    for (const service of services) for (const line of service.lines) view.addLogLine(JSON.stringify(line));
    console.log('\nThe trace, as `npx tracehop view` prints it (spans from OTLP, each pino line under its span):\n');
    const docs = await view.print();
    if (docs.length === 0) console.log('(no trace arrived)');
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
