/**
 * A TypeScript service run through tsx, with the same preload: the command
 * lines docs/module-systems.md gives, for a CommonJS .ts file and an ES
 * module .mts file (named imports, top-level await). Each request to /hop
 * calls the service's own /leaf, so one request shows the server span, the
 * client span, propagation and pino fields.
 */
import * as path from 'node:path';
import { requestIdToTraceId } from '../../src/core/ids/trace-id';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { REGISTER, startService } from '../support/services';
import type { Service } from '../support/services';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'module-systems');
const TSX_CLI = require.resolve('tsx/cli');
const SERVER = 2;
const CLIENT = 3;

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

describe.each([
  { command: 'node --import tsx -r ./register.js hop-server.ts', nodeArgs: ['--import', 'tsx', '-r', REGISTER], script: 'hop-server.ts' },
  { command: 'tsx --require ./register.js hop-server.ts', nodeArgs: [TSX_CLI, '--require', REGISTER], script: 'hop-server.ts' },
  { command: 'node --import tsx --import ./register.js hop-server.mts', nodeArgs: ['--import', 'tsx', '--import', REGISTER], script: 'hop-server.mts' },
  { command: 'tsx --import ./register.js hop-server.mts', nodeArgs: [TSX_CLI, '--import', REGISTER], script: 'hop-server.mts' },
])('TypeScript through tsx: $command', ({ command, nodeArgs, script }) => {
  let service: Service;
  const requestId = `tsx-${command.replace(/[^a-z0-9]+/gi, '-')}`.slice(0, 128);
  const traceId = requestIdToTraceId(requestId);

  beforeAll(async () => {
    service = await startService(
      'typescript',
      path.join(FIXTURES, script),
      {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
        OTEL_BSP_SCHEDULE_DELAY: '50',
      },
      { nodeArgs },
    );
  });
  afterAll(async () => {
    await service?.stop();
  });

  test('the response echoes the request id, and the server, client and downstream server spans share its trace', async () => {
    const res = await fetch(`${service.url}/hop`, { headers: { 'X-Request-ID': requestId } });
    expect(await res.text()).toBe('hop');
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const spans = (await receiver.waitForSpans(all => all.filter(s => s.traceId === traceId).length >= 3)).filter(s => s.traceId === traceId);
    expect(spans.map(s => s.kind).sort()).toEqual([SERVER, SERVER, CLIENT].sort());
    const root = spans.find(s => s.parentSpanId === undefined);
    const client = spans.find(s => s.kind === CLIENT);
    expect(client?.parentSpanId).toBe(root?.spanId);
    expect(spans.find(s => s.kind === SERVER && s !== root)?.parentSpanId).toBe(client?.spanId);
  });

  test('both pino lines carry the trace, and the downstream one the chain with its hop', async () => {
    const leaf = await service.waitForLine(line => line.request_id === requestId && line.path === '/leaf');
    const hop = await service.waitForLine(line => line.request_id === requestId && line.path === '/hop');
    expect(hop).toMatchObject({ trace_id: traceId, trace_flags: '01', request_chain: `${requestId},${hop.span_id}` });
    expect(leaf).toMatchObject({ trace_id: traceId, request_chain: `${requestId},${hop.span_id},${leaf.span_id}` });
  });
});
