/**
 * Background jobs on a real Redis and real BullMQ, 6 and 5: request -> job
 * -> job (asgi-correlation-id's table), a flow, a scheduled job, retries,
 * 200 jobs at concurrency 10, link mode, a worker stopped mid-job, and a
 * crash out of a job.
 */
import * as path from 'node:path';
import type { ReceivedSpan } from '../support/otlp-receiver';
import { BULLMQ_VERSIONS, JOBS_FIXTURES, bullmqMajorOf, jobsApp, type JobsApp } from '../support/bullmq-versions';
import { useJobsStack } from '../support/jobs-stack';
import { startService } from '../support/services';
import type { LogLine, Service } from '../support/services';

const APP = path.join(JOBS_FIXTURES, 'app.js');
const PRODUCER = 4;
const CONSUMER = 5;
const SERVER = 2;

let queueCount = 0;
const stack = useJobsStack();

jest.setTimeout(60_000);

/** A web process and a worker process of `app` on a queue of their own. */
async function startPair(
  app: JobsApp,
  env: Record<string, string> = {},
  workerEnv: Record<string, string> = {},
): Promise<{ web: Service; worker: Service; queue: string }> {
  const queue = `q${++queueCount}`;
  const common = { ...stack.env(queue, env), ...app.env };
  const [web, worker] = await Promise.all([
    startService('web', app.script, { ...common, JOBS_ROLE: 'web' }, app.options(true)),
    startService('worker', app.script, { ...common, JOBS_ROLE: 'worker', ...workerEnv }, app.options(true)),
  ]);
  stack.running.push(web, worker);
  expect([bullmqMajorOf(web.lines), bullmqMajorOf(worker.lines)]).toEqual([app.major, app.major]);
  return { web, worker, queue };
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

function waitForLines(service: Service, check: (lines: LogLine[]) => boolean, timeoutMs = 30_000): Promise<LogLine[]> {
  return service.waitForLine(() => check(service.lines), timeoutMs).then(() => service.lines);
}

describe.each(BULLMQ_VERSIONS)('BullMQ $major', version => {
  let app: JobsApp;
  beforeAll(() => {
    app = jobsApp(version, APP);
  });
  afterAll(() => app.remove());

  test("request -> job -> job: request_id everywhere, job_id from the first job, parent_job_id from the second (asgi-correlation-id's table)", async () => {
    const { web, worker, queue } = await startPair(app);
    const {
      requestId,
      ids: [firstId],
    } = await get(web, 'first');
    // Row "request": the request's own lines have a request id and no job ids.
    const requestLine = await web.waitForLine(line => line.msg === 'queueing' && line.request_id === requestId);
    expect(requestLine.job_id).toBeUndefined();
    expect(requestLine.parent_job_id).toBeUndefined();
    // Row "request -> job": the request id, the job's id, no parent job.
    const first = await worker.waitForLine(line => line.msg === 'first job' && line.job_id === firstId);
    expect(first.request_id).toBe(requestId);
    expect(first.parent_job_id).toBeUndefined();
    expect(first.trace_id).toBe(requestLine.trace_id);
    expect(String(first.request_chain).startsWith(`${requestLine.request_chain},`)).toBe(true);
    expect(String(first.request_chain).endsWith(`,${first.span_id}`)).toBe(true);
    // Row "request -> job -> job": the request id, its own job id, the first job as parent.
    const second = await worker.waitForLine(line => line.msg === 'second job' && line.parent_job_id === firstId);
    expect(second.request_id).toBe(requestId);
    expect(second.job_id).toBeDefined();
    expect(second.job_id).not.toBe(firstId);
    expect(second.trace_id).toBe(requestLine.trace_id);
    expect(String(second.request_chain).startsWith(`${first.request_chain},`)).toBe(true);

    // One trace: server -> send -> process -> send -> process.
    // The web and worker processes export on their own schedules: wait for all five.
    const count = (all: ReceivedSpan[], kind: number) => all.filter(s => s.traceId === first.trace_id && s.kind === kind).length;
    const spans = await stack.receiver.waitForSpans(all => count(all, SERVER) === 1 && count(all, PRODUCER) === 2 && count(all, CONSUMER) === 2);
    const inTrace = spans.filter(s => s.traceId === first.trace_id);
    const server = spanOf(inTrace, s => s.kind === SERVER);
    const send1 = spanOf(inTrace, s => s.kind === PRODUCER && s.parentSpanId === server.spanId);
    expect(send1.name).toBe(`send ${queue}`);
    expect(send1.attributes).toMatchObject({
      'messaging.system': 'bullmq',
      'messaging.destination.name': queue,
      'messaging.operation.type': 'send',
      'messaging.message.id': firstId,
    });
    const process1 = spanOf(inTrace, s => s.kind === CONSUMER && s.parentSpanId === send1.spanId);
    expect(process1.name).toBe(`process ${queue}`);
    expect(process1.spanId).toBe(first.span_id);
    expect(process1.attributes).toMatchObject({
      'messaging.operation.type': 'process',
      'messaging.message.id': firstId,
      'tracehop.job.attempt': 1,
      'request.id': requestId,
    });
    const send2 = spanOf(inTrace, s => s.kind === PRODUCER && s.parentSpanId === process1.spanId);
    const process2 = spanOf(inTrace, s => s.kind === CONSUMER && s.parentSpanId === send2.spanId);
    expect(process2.attributes['tracehop.job.parent_id']).toBe(firstId);
  });

  test('FlowProducer#add: the parent and child jobs of a flow both continue the request, under one send span', async () => {
    const { web, worker, queue } = await startPair(app);
    const { requestId, ids } = await get(web, 'flow');
    const lines = await Promise.all(ids.map(id => worker.waitForLine(l => l.msg === 'plain job' && l.job_id === id)));
    expect(lines.map(l => l.request_id)).toEqual([requestId, requestId]);
    const spans = await stack.receiver.waitForSpans(
      all => lines.every(line => all.some(s => s.spanId === line.span_id)) && all.some(s => s.kind === PRODUCER && s.traceId === lines[0]!.trace_id),
    );
    const send = spanOf(spans, s => s.kind === PRODUCER && s.traceId === lines[0]!.trace_id);
    expect(send.name).toBe(`send ${queue}`);
    expect(send.attributes['messaging.batch.message_count']).toBe(2);
    for (const line of lines) expect(spanOf(spans, s => s.spanId === line.span_id).parentSpanId).toBe(send.spanId);
  });

  test('FlowProducer#addBulk: every job of every flow continues the request, under one send span counting them all', async () => {
    const { web, worker, queue } = await startPair(app);
    const { requestId, ids } = await get(web, 'flows');
    expect(new Set(ids).size).toBe(3);
    const lines = await Promise.all(ids.map(id => worker.waitForLine(l => l.msg === 'plain job' && l.job_id === id)));
    expect(lines.map(l => l.request_id)).toEqual([requestId, requestId, requestId]);
    const spans = await stack.receiver.waitForSpans(
      all => lines.every(line => all.some(s => s.spanId === line.span_id)) && all.some(s => s.kind === PRODUCER && s.traceId === lines[0]!.trace_id),
    );
    const sends = spans.filter(s => s.kind === PRODUCER && s.traceId === lines[0]!.trace_id);
    expect(sends.map(s => [s.name, s.attributes['messaging.batch.message_count']])).toEqual([[`send ${queue}`, 3]]);
    for (const line of lines) expect(spanOf(spans, s => s.spanId === line.span_id).parentSpanId).toBe(sends[0]!.spanId);
  });

  test('a job queued outside any request gets a request id born there, and no parent job', async () => {
    const { worker } = await startPair(app, {}, { JOBS_STARTUP_JOB: '1' });
    const line = await worker.waitForLine(l => l.msg === 'plain job');
    expect(line.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(String(line.request_id).replace(/-/g, '')).toBe(line.trace_id);
    expect(line.job_id).toBeDefined();
    expect(line.parent_job_id).toBeUndefined();
    expect(line.request_chain).toBe(`${line.request_id},${line.span_id}`);
  });

  test("a scheduled job starts a new trace and request id on every run, never the worker's own context", async () => {
    const { worker } = await startPair(app, {}, { JOBS_SCHEDULE: '1' });
    const ticks = await waitForLines(worker, lines => lines.filter(l => l.msg === 'tick').length >= 3);
    const runs = ticks.filter(l => l.msg === 'tick').slice(0, 3);
    expect(new Set(runs.map(l => l.trace_id)).size).toBe(3);
    expect(new Set(runs.map(l => l.request_id)).size).toBe(3);
    expect(new Set(runs.map(l => l.job_id)).size).toBe(3);
    for (const run of runs) {
      expect(String(run.request_id).replace(/-/g, '')).toBe(run.trace_id);
      expect(run.parent_job_id).toBeUndefined();
    }
    const spans = await stack.receiver.waitForSpans(all => runs.every(run => all.some(s => s.spanId === run.span_id)));
    for (const run of runs) expect(spanOf(spans, s => s.spanId === run.span_id).parentSpanId).toBeUndefined();
  });

  test('every retry is its own span with its attempt number; failures record the exception and status ERROR', async () => {
    const { web, worker, queue } = await startPair(app);
    const {
      requestId,
      ids: [jobId],
    } = await get(web, 'flaky');
    // Job ids are per queue: the destination tells this job's spans from others.
    const isTry = (s: ReceivedSpan) =>
      s.kind === CONSUMER && s.attributes['messaging.destination.name'] === queue && s.attributes['messaging.message.id'] === jobId;
    await waitForLines(worker, lines => lines.filter(l => l.msg === 'flaky attempt' && l.job_id === jobId).length === 3);
    const attempts = worker.lines.filter(l => l.msg === 'flaky attempt' && l.job_id === jobId);
    expect(attempts.map(l => l.request_id)).toEqual([requestId, requestId, requestId]);
    expect(new Set(attempts.map(l => l.span_id)).size).toBe(3);
    const spans = await stack.receiver.waitForSpans(all => all.filter(isTry).length === 3);
    const tries = spans.filter(isTry).sort((a, b) => Number(a.attributes['tracehop.job.attempt']) - Number(b.attributes['tracehop.job.attempt']));
    expect(tries.map(s => s.attributes['tracehop.job.attempt'])).toEqual([1, 2, 3]);
    expect(tries.map(s => s.statusCode)).toEqual([2, 2, 0]);
    expect(tries[0]!.events.find(e => e.name === 'exception')?.attributes['exception.message']).toBe('flaky failure');
    expect(tries[2]!.events.some(e => e.name === 'exception')).toBe(false);
  });

  test("200 jobs at concurrency 10: every line carries its own job's ids, none mixed up", async () => {
    const { web, worker } = await startPair(app);
    const { requestId, ids } = await get(web, 'load?count=200');
    expect(ids).toHaveLength(200);
    await waitForLines(worker, lines => lines.filter(l => l.msg === 'load job done').length === 200, 50_000);
    const byN = new Map<number, LogLine[]>();
    for (const line of worker.lines.filter(l => l.msg === 'load job started' || l.msg === 'load job done')) {
      byN.set(Number(line.n), [...(byN.get(Number(line.n)) ?? []), line]);
    }
    expect(byN.size).toBe(200);
    for (const [n, lines] of byN) {
      expect(lines).toHaveLength(2);
      const [started, done] = lines as [LogLine, LogLine];
      expect(started.job_id).toBe(ids[n]);
      expect(done.job_id).toBe(ids[n]);
      expect(done.span_id).toBe(started.span_id);
      expect(done.request_id).toBe(requestId);
      expect(done.request_chain).toBe(started.request_chain);
      expect(String(done.request_chain).endsWith(`,${done.span_id}`)).toBe(true);
    }
    expect(new Set([...byN.values()].map(lines => lines[0]!.span_id)).size).toBe(200);
  });

  test('TRACEHOP_JOB_TRACE=link: the job starts its own trace, with a span link to the producer, and keeps the request id', async () => {
    const { web, worker } = await startPair(app, { TRACEHOP_JOB_TRACE: 'link' });
    const {
      requestId,
      ids: [jobId],
    } = await get(web, 'plain');
    const requestLine = await web.waitForLine(line => line.msg === 'queueing' && line.request_id === requestId);
    const line = await worker.waitForLine(l => l.msg === 'plain job' && l.job_id === jobId);
    expect(line.request_id).toBe(requestId);
    expect(line.trace_id).not.toBe(requestLine.trace_id);
    const spans = await stack.receiver.waitForSpans(
      all => all.some(s => s.spanId === line.span_id) && all.some(s => s.kind === PRODUCER && s.traceId === requestLine.trace_id),
    );
    const consumer = spanOf(spans, s => s.spanId === line.span_id);
    const producer = spanOf(spans, s => s.kind === PRODUCER && s.traceId === requestLine.trace_id);
    expect(consumer.parentSpanId).toBeUndefined();
    expect(consumer.links.map(link => [link.traceId, link.spanId])).toEqual([[producer.traceId, producer.spanId]]);
  });

  test("a worker stopped by SIGTERM mid-job: BullMQ's close waits for the job, and the job's span is flushed", async () => {
    const { web, worker } = await startPair(app, { OTEL_BSP_SCHEDULE_DELAY: '600000' });
    const {
      ids: [jobId],
    } = await get(web, 'slow');
    const started = await worker.waitForLine(l => l.msg === 'slow job started' && l.job_id === jobId);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    const closed = worker.lines.findIndex(l => l.msg === 'worker closed');
    expect(closed).toBeGreaterThan(worker.lines.findIndex(l => l.msg === 'slow job done'));
    expect(worker.lines.findIndex(l => l.msg === 'slow job done')).toBeGreaterThan(-1);
    const spans = await stack.receiver.waitForSpans(all => all.some(s => s.spanId === started.span_id), 10_000);
    expect(spanOf(spans, s => s.spanId === started.span_id).kind).toBe(CONSUMER);
  });

  test("a crash out of a job's code is recorded on its consumer span and written to stderr with the request id; the worker exits as Node would", async () => {
    const { web, worker } = await startPair(app, {}, { TRACEHOP_SHUTDOWN_TIMEOUT_MS: '10000' });
    stack.running.splice(stack.running.indexOf(worker), 1);
    const {
      requestId,
      ids: [jobId],
    } = await get(web, 'crash');
    const started = await worker.waitForLine(line => line.msg === 'crash job started' && line.job_id === jobId);
    expect(await worker.exited).toEqual({ code: 1, signal: null });
    await Promise.all([worker.waitForStderr(/^TypeError: boom from a job timer$/m), worker.waitForStderr(/^\{"level":60.*\n/m)]);
    const crashLine = JSON.parse(worker.stderr.split('\n').find(line => line.startsWith('{"level":60'))!) as Record<string, unknown>;
    expect(crashLine).toMatchObject({ request_id: requestId, trace_id: started.trace_id, err: { type: 'TypeError', message: 'boom from a job timer' } });
    const spans = await stack.receiver.waitForSpans(all => all.some(span => span.spanId === started.span_id));
    const consumer = spanOf(spans, span => span.spanId === started.span_id);
    expect(consumer.kind).toBe(CONSUMER);
    expect(consumer.statusCode).toBe(2);
    expect(consumer.events.some(event => event.name === 'exception')).toBe(true);
  });
});
