import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { DEFAULT_LOG_FIELDS } from '../../../src/config';
import { withCarrier } from '../../../src/jobs/bullmq-hook';
import { PARENT_JOB_ID_KEY, parseMetadata } from '../../../src/jobs/carrier';
import { publishTestRuntime, withdrawRuntime } from '../../support/runtime';
import { inject, runWithCarrier } from '../../../src/jobs';
import { createLogFieldsJsonReader, createLogFieldsReader } from '../../../src/logging/log-fields';
import { RequestCorrelation, setCorrelation } from '../../../src/core/correlation';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: exporter })] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  publishTestRuntime();
});
afterAll(() => {
  context.disable();
  trace.disable();
  propagation.disable();
  withdrawRuntime();
});
afterEach(() => {
  exporter.reset();
  publishTestRuntime({ jobTrace: 'child' });
});

const PRODUCER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const TRACEPARENT = `00-${PRODUCER_TRACE}-b7ad6b7169203331-01`;

describe('parseMetadata', () => {
  test.each([
    ['a JSON object of strings', '{"traceparent":"x","baggage":"y"}', { traceparent: 'x', baggage: 'y' }],
    ['non-string entries dropped', '{"traceparent":"x","n":1,"o":{}}', { traceparent: 'x' }],
    ['not JSON', '{traceparent', undefined],
    ['a JSON array', '["x"]', undefined],
    ['JSON null', 'null', undefined],
    ['not a string', 42, undefined],
    ['absent', undefined, undefined],
  ])('%s', (_title, metadata, expected) => {
    expect(parseMetadata(metadata)).toEqual(expected);
  });
});

describe('withCarrier', () => {
  const carrier = { traceparent: TRACEPARENT };
  test.each([
    ['no options', undefined, { telemetry: { metadata: JSON.stringify(carrier) } }],
    ['other options kept', { attempts: 3 }, { attempts: 3, telemetry: { metadata: JSON.stringify(carrier) } }],
    ["the caller's own metadata wins", { telemetry: { metadata: '{"a":"b"}' } }, { telemetry: { metadata: '{"a":"b"}' } }],
    ['omitContext honoured', { telemetry: { omitContext: true } }, { telemetry: { omitContext: true } }],
  ])('%s', (_title, opts, expected) => {
    expect(withCarrier(opts as never, carrier)).toEqual(expected);
  });

  test('no carrier leaves the options as they were', () => {
    const opts = { attempts: 2 };
    expect(withCarrier(opts, undefined)).toBe(opts);
  });
});

describe('inject and runWithCarrier', () => {
  function inJob<T>(fn: () => T): T {
    const correlation = new RequestCorrelation('req-1', ['req-1']);
    correlation.jobId = 'job-7';
    const span = trace.wrapSpanContext({ traceId: PRODUCER_TRACE, spanId: 'b7ad6b7169203331', traceFlags: 1 });
    return context.with(setCorrelation(trace.setSpan(ROOT_CONTEXT, span), correlation), fn);
  }

  test("inject writes the trace context and the running job's id, with lowercase keys, into the object it returns", () => {
    const carrier = inJob(() => inject({ other: 'kept' }));
    expect(carrier).toEqual({ other: 'kept', traceparent: TRACEPARENT, [PARENT_JOB_ID_KEY]: 'job-7' });
  });

  test('outside any span, inject leaves the carrier without trace context', () => {
    expect(inject({})).toEqual({});
  });

  test('runWithCarrier runs fn in a child CONSUMER span whose log fields carry the job and its parent', async () => {
    const readFields = createLogFieldsReader({ ...DEFAULT_LOG_FIELDS, jobId: 'jobId' });
    const readJson = createLogFieldsJsonReader();
    const carrier = { traceparent: TRACEPARENT, [PARENT_JOB_ID_KEY]: 'job-7' };
    const [fields, json] = await runWithCarrier(
      carrier,
      async () => {
        await Promise.resolve();
        return [readFields(), readJson()] as const;
      },
      { jobId: 'job-8', name: 'letters' },
    );
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('process letters');
    expect(span?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    const spanId = span!.spanContext().spanId;
    const requestId = '0af76519-16cd-43dd-8448-eb211c80319c';
    expect(fields).toEqual({
      trace_id: PRODUCER_TRACE,
      span_id: spanId,
      trace_flags: '01',
      request_id: requestId,
      request_chain: `${requestId},${spanId}`,
      jobId: 'job-8',
      parent_job_id: 'job-7',
    });
    expect(JSON.parse(`{${json}}`)).toEqual({ ...fields, job_id: 'job-8', jobId: undefined });
  });

  test('a throw is recorded on the span with status ERROR and passed on unchanged', () => {
    const failure = new Error('no paper');
    expect(() =>
      runWithCarrier(
        {},
        () => {
          throw failure;
        },
        { jobId: '1', name: 'letters' },
      ),
    ).toThrow(failure);
    const [span] = exporter.getFinishedSpans();
    expect(span?.status.code).toBe(2);
    expect(span?.events.map(event => event.name)).toEqual(['exception']);
  });

  test('link mode starts a new trace with a link to the producer', () => {
    publishTestRuntime({ jobTrace: 'link' });
    runWithCarrier({ traceparent: TRACEPARENT }, () => undefined, { jobId: '1', name: 'letters', attempt: 2 });
    const [span] = exporter.getFinishedSpans();
    expect(span?.spanContext().traceId).not.toBe(PRODUCER_TRACE);
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.links.map(link => link.context.spanId)).toEqual(['b7ad6b7169203331']);
    expect(span?.attributes['tracehop.job.attempt']).toBe(2);
  });

  test('a recurring run ignores the carrier: a new trace, no parent job', () => {
    const fields = runWithCarrier({ traceparent: TRACEPARENT, [PARENT_JOB_ID_KEY]: 'job-7' }, () => createLogFieldsReader()(), {
      jobId: '1',
      name: 'ticks',
      recurring: true,
    });
    expect(fields.trace_id).not.toBe(PRODUCER_TRACE);
    expect(fields.parent_job_id).toBeUndefined();
    expect(fields.request_id?.replace(/-/g, '')).toBe(fields.trace_id);
  });
});
