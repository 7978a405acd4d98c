/**
 * Jobs across boundaries: a producer or worker that uses BullMQ's own
 * telemetry (bullmq-otel, with a plain OpenTelemetry SDK and no tracehop;
 * on BullMQ 6 with bullmq-otel 2 and on BullMQ 5 with bullmq-otel 1),
 * a worker written as an ES module, and the carrier over a Redis list.
 */
import * as http from 'node:http';
import * as path from 'node:path';
import type { ReceivedSpan } from '../support/otlp-receiver';
import { runDoctorCli } from '../support/doctor-cli';
import { listenOnLoopback } from '../support/ports';
import { BULLMQ_VERSIONS, bullmqMajorOf, jobsApp, type JobsApp } from '../support/bullmq-versions';
import { useJobsStack } from '../support/jobs-stack';
import { startService } from '../support/services';
import type { Service } from '../support/services';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'jobs');
const APP = path.join(FIXTURES, 'app.js');
const PRODUCER = 4;
const CONSUMER = 5;

let queueCount = 0;
const stack = useJobsStack();

jest.setTimeout(60_000);

function env(queue: string, extra: Record<string, string>): Record<string, string> {
  return stack.env(queue, extra);
}

async function start(name: string, script: string, variables: Record<string, string>, withTracehop = true): Promise<Service> {
  const service = await startService(name, script, variables, withTracehop ? {} : { nodeArgs: [] });
  stack.running.push(service);
  return service;
}

/** `start` for the jobs app as it runs on one BullMQ version. */
async function startApp(app: JobsApp, name: string, variables: Record<string, string>, withTracehop = true): Promise<Service> {
  const service = await startService(name, app.script, { ...variables, ...app.env }, app.options(withTracehop));
  stack.running.push(service);
  expect(bullmqMajorOf(service.lines)).toBe(app.major);
  return service;
}

async function get(service: Service, route: string): Promise<{ requestId: string | null; ids: string[] }> {
  const res = await fetch(`${service.url}/${route}`);
  const body = (await res.json()) as { ids: string[] };
  return { requestId: res.headers.get('x-request-id'), ids: body.ids };
}

function spanOf(spans: ReceivedSpan[], predicate: (span: ReceivedSpan) => boolean): ReceivedSpan {
  const found = spans.find(predicate);
  if (found === undefined) throw new Error(`no such span among ${spans.map(s => s.name).join(', ')}`);
  return found;
}

describe.each(BULLMQ_VERSIONS)('BullMQ $major with its bullmq-otel', version => {
  let app: JobsApp;
  beforeAll(() => {
    app = jobsApp(version, APP, ['otel-sdk.js']);
  });
  afterAll(() => app.remove());

  test("a tracehop producer's job continues in a worker that uses BullMQ's own telemetry (bullmq-otel)", async () => {
    const queue = `interop${++queueCount}`;
    const [web] = await Promise.all([
      startApp(app, 'web', env(queue, { JOBS_ROLE: 'web' })),
      startApp(app, 'otel-worker', env(queue, { JOBS_ROLE: 'worker', JOBS_OTEL: '1', JOBS_OTEL_SDK: '1' }), false),
    ]);
    const { requestId } = await get(web, 'plain');
    const requestLine = await web.waitForLine(line => line.msg === 'queueing' && line.request_id === requestId);
    const spans = await stack.receiver.waitForSpans(
      all =>
        all.some(s => s.service === 'bullmq-otel-side' && s.kind === CONSUMER && s.traceId === requestLine.trace_id) &&
        all.some(s => s.kind === PRODUCER && s.traceId === requestLine.trace_id && s.service !== 'bullmq-otel-side'),
    );
    const producer = spanOf(spans, s => s.kind === PRODUCER && s.traceId === requestLine.trace_id && s.service !== 'bullmq-otel-side');
    const theirs = spanOf(spans, s => s.service === 'bullmq-otel-side' && s.kind === CONSUMER && s.traceId === requestLine.trace_id);
    expect(theirs.parentSpanId).toBe(producer.spanId);
  });

  test("a job queued by a producer that uses BullMQ's own telemetry continues in a tracehop worker", async () => {
    const queue = `interop${++queueCount}`;
    const [web, worker] = await Promise.all([
      startApp(app, 'otel-web', env(queue, { JOBS_ROLE: 'web', JOBS_OTEL: '1', JOBS_OTEL_SDK: '1' }), false),
      startApp(app, 'worker', env(queue, { JOBS_ROLE: 'worker' })),
    ]);
    const {
      ids: [jobId],
    } = await get(web, 'plain');
    const line = await worker.waitForLine(l => l.msg === 'plain job' && l.job_id === jobId);
    const spans = await stack.receiver.waitForSpans(
      all => all.some(s => s.spanId === line.span_id) && all.some(s => s.service === 'bullmq-otel-side' && s.kind === PRODUCER && s.traceId === line.trace_id),
    );
    const theirs = spanOf(spans, s => s.service === 'bullmq-otel-side' && s.kind === PRODUCER && s.traceId === line.trace_id);
    expect(spanOf(spans, s => s.spanId === line.span_id).parentSpanId).toBe(theirs.spanId);
    // No request id came with it: the job's is its trace id, as for any request born here.
    expect(String(line.request_id).replace(/-/g, '')).toBe(line.trace_id);
  });

  test("under tracehop, a Queue and Worker given BullMQ's own telemetry are left to it: no span twice", async () => {
    const queue = `own${++queueCount}`;
    const [web, worker] = await Promise.all([
      startApp(app, 'web', env(queue, { JOBS_ROLE: 'web', JOBS_OTEL: '1' })),
      startApp(app, 'worker', env(queue, { JOBS_ROLE: 'worker', JOBS_OTEL: '1' })),
    ]);
    const { requestId } = await get(web, 'plain');
    const line = await worker.waitForLine(l => l.msg === 'plain job');
    // BullMQ's consumer span extracts through the global propagator, which is ours: the request id comes along.
    expect(line.request_id).toBe(requestId);
    const spans = await stack.receiver.waitForSpans(
      all => all.some(s => s.spanId === line.span_id) && all.some(s => s.kind === PRODUCER && s.traceId === line.trace_id),
    );
    const inTrace = spans.filter(s => s.traceId === line.trace_id);
    expect(inTrace.filter(s => s.kind === PRODUCER).map(s => s.scope)).toEqual(['interop']);
    expect(inTrace.filter(s => s.kind === CONSUMER).map(s => s.scope)).toEqual(['interop']);
  });
});

test("a worker written as an ES module gets the job's fields", async () => {
  const queue = `esm${++queueCount}`;
  const [web, worker] = await Promise.all([
    start('web', APP, env(queue, { JOBS_ROLE: 'web' })),
    start('esm-worker', path.join(FIXTURES, 'worker.mjs'), env(queue, {})),
  ]);
  const {
    requestId,
    ids: [jobId],
  } = await get(web, 'plain');
  const line = await worker.waitForLine(l => l.msg === 'esm job' && l.job_id === jobId);
  expect(line.request_id).toBe(requestId);
});

test("a job's outgoing call carries the request id and a chain that ends with the job's hop", async () => {
  const queue = `downstream${++queueCount}`;
  const seen: http.IncomingHttpHeaders[] = [];
  const downstream = http.createServer((req, res) => {
    seen.push(req.headers);
    res.end('ok');
  });
  const port = await listenOnLoopback(downstream);
  try {
    const [web, worker] = await Promise.all([
      start('web', APP, env(queue, { JOBS_ROLE: 'web' })),
      start('worker', APP, env(queue, { JOBS_ROLE: 'worker', DOWNSTREAM_URL: `http://127.0.0.1:${port}/` })),
    ]);
    const { requestId } = await get(web, 'second');
    const line = await worker.waitForLine(l => l.msg === 'second job' && l.request_id === requestId);
    await stack.receiver.waitForSpans(all => all.some(s => s.kind === 3 && s.traceId === line.trace_id));
    expect(seen).toHaveLength(1);
    expect(seen[0]!['x-request-id']).toBe(requestId);
    expect(decodeURIComponent(String(seen[0]!.baggage))).toContain(`request.chain=${line.request_chain}`);
  } finally {
    await new Promise(resolve => downstream.close(resolve));
  }
});

test('the carrier over a Redis list (LPUSH, BRPOP): the consumer continues the request, with the message id as job_id', async () => {
  const list = `letters${++queueCount}`;
  const script = path.join(FIXTURES, 'redis-list.js');
  const [producer, consumer] = await Promise.all([
    start('list-producer', script, env('', { LIST: list, LIST_ROLE: 'producer' })),
    start('list-consumer', script, env('', { LIST: list, LIST_ROLE: 'consumer' })),
  ]);
  const ok = await fetch(`${producer.url}/send?body=letter`);
  const { id } = (await ok.json()) as { id: string };
  const requestId = ok.headers.get('x-request-id');
  const requestLine = await producer.waitForLine(l => l.msg === 'pushing' && l.id === id);
  const line = await consumer.waitForLine(l => l.msg === 'list message' && l.job_id === id);
  expect(line.request_id).toBe(requestId);
  expect(line.trace_id).toBe(requestLine.trace_id);
  expect(String(line.request_chain).startsWith(`${requestLine.request_chain},`)).toBe(true);
  expect(line.parent_job_id).toBeUndefined();
  const failed = await fetch(`${producer.url}/send?body=fail`);
  const { id: failedId } = (await failed.json()) as { id: string };
  await consumer.waitForLine(l => l.msg === 'list message failed' && l.job_id === undefined);
  const spans = await stack.receiver.waitForSpans(
    all =>
      all.some(s => s.spanId === line.span_id) &&
      all.some(s => s.kind === CONSUMER && s.attributes['messaging.message.id'] === failedId && s.attributes['messaging.destination.name'] === list),
  );
  const consumed = spanOf(spans, s => s.spanId === line.span_id);
  expect(consumed.name).toBe(`process ${list}`);
  expect(consumed.attributes['messaging.system']).toBe('redis');
  expect(consumed.parentSpanId).toBe(requestLine.span_id);
  const failedSpan = spanOf(
    spans,
    s => s.kind === CONSUMER && s.attributes['messaging.message.id'] === failedId && s.attributes['messaging.destination.name'] === list,
  );
  expect(failedSpan.statusCode).toBe(2);
});

test('the doctor reports bullmq hooked, and the job trace mode', async () => {
  const { stdout } = await runDoctorCli([APP], { env: { ...env(`doctor${++queueCount}`, { JOBS_ROLE: 'web' }), TRACEHOP_JOB_TRACE: 'link' } });
  expect(stdout).toMatch(/^ {2}ok +bullmq +6\.\d+\.\d+ hooked by tracehop-bullmq-hook [\d.]+ \(require\)$/m);
  expect(stdout).toMatch(/^ {2}job trace +link \(TRACEHOP_JOB_TRACE\)$/m);
});
