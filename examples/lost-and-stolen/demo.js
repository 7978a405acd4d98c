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
// (a collector or Jaeger); without it the demo only shows the logs.
const { startChain } = require('./chain');

async function main() {
  const env = process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
    ? {}
    : { OTEL_TRACES_EXPORTER: 'none' };
  const chain = await startChain(env);
  try {
    const requestId = process.argv[2];
    const res = await fetch(`${chain.gateway.url}/cards/lost_and_stolen/`, {
      method: 'POST',
      headers: requestId === undefined ? {} : { 'X-Request-ID': requestId },
    });
    console.log(`POST /cards/lost_and_stolen/ -> ${res.status}, X-Request-ID: ${res.headers.get('x-request-id')}\n`);
    await res.text();
  } finally {
    await chain.stop();
  }
  const lines = chain.services
    .flatMap(service => service.lines.filter(line => line.request_id).map(line => ({ service: service.name, ...line })))
    .sort((a, b) => a.time - b.time);
  for (const line of lines) {
    console.log(`${line.request_chain.padEnd(56)} ${line.service.padEnd(8)} ${(line.method || '').padEnd(6)} ${(line.path || '').padEnd(28)} ${line.msg}`);
  }
  console.log(`\ntrace_id of every line: ${[...new Set(lines.map(line => line.trace_id))].join(', ')}`);
  console.log('\nOne pino line in full:');
  console.log(JSON.stringify(lines.find(line => line.service === 'cards')));
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
