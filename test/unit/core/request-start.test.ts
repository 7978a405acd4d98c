/**
 * Where a request's ids are made: at the start of its root span, never in
 * `propagation.extract`. An app's own extract (a Kafka consumer's, in a
 * handler) must not decide the trace id of the next root span.
 */
import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { getCorrelation } from '../../../src/core/correlation';
import { RequestIdGenerator } from '../../../src/core/id-generator';
import { RequestIdPolicy, builtInRequestIds } from '../../../src/core/request-id-policy';
import { decideRequest } from '../../../src/core/request-start';
import { requestIdToTraceId } from '../../../src/core/ids/trace-id';
import { buildPropagator } from '../../../src/propagation/composite';
import { RequestIdPropagator } from '../../../src/propagation/request-id-propagator';

const idGenerator = new RequestIdGenerator();
const requestIds = new RequestIdPolicy(builtInRequestIds('uuid4'));
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ idGenerator, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = provider.getTracer('test');
const MAPPED = requestIdToTraceId('abc-123');

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    buildPropagator(['tracecontext', 'baggage'], new RequestIdPropagator({ headers: ['x-request-id'], outgoingHeader: 'X-Request-ID', requestIds })),
  );
});
afterAll(() => {
  context.disable();
  propagation.disable();
});

test("an app's propagation.extract leaves the next root span's trace id random", () => {
  const extracted = propagation.extract(ROOT_CONTEXT, { 'x-request-id': 'abc-123' });
  expect(getCorrelation(extracted)?.requestId).toBe('abc-123');
  const next = tracer.startSpan('unrelated root', { root: true });
  expect(next.spanContext().traceId).not.toBe(MAPPED);
  next.end();
});

test("an app's propagation.extract of a bare message makes no request id", () => {
  expect(getCorrelation(propagation.extract(ROOT_CONTEXT, {}))).toBeUndefined();
});

test('the root span started for the request takes the trace id its request id maps to, and only that span', () => {
  const start = decideRequest(propagation.extract(ROOT_CONTEXT, { 'x-request-id': 'abc-123' }), requestIds);
  const root = idGenerator.withTraceId(start.traceId, () => tracer.startSpan('GET', {}, start.context));
  const after = tracer.startSpan('later root', { root: true });
  expect(root.spanContext().traceId).toBe(MAPPED);
  expect(after.spanContext().traceId).not.toBe(MAPPED);
});

test('a span start that throws leaves the generator disarmed', () => {
  expect(() =>
    idGenerator.withTraceId(MAPPED, () => {
      throw new Error('start failed');
    }),
  ).toThrow('start failed');
  expect(tracer.startSpan('next', { root: true }).spanContext().traceId).not.toBe(MAPPED);
});

test('a request with no id gets a new one, and its root span the trace id it maps to', () => {
  const start = decideRequest(propagation.extract(ROOT_CONTEXT, {}), requestIds);
  const correlation = getCorrelation(start.context)!;
  const root = idGenerator.withTraceId(start.traceId, () => tracer.startSpan('GET', {}, start.context));
  expect(root.spanContext().traceId).toBe(correlation.requestId.replace(/-/g, ''));
});

test('a remote parent is continued: nothing is armed', () => {
  const start = decideRequest(propagation.extract(ROOT_CONTEXT, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }), requestIds);
  expect(start.traceId).toBeUndefined();
  expect(trace.getSpanContext(start.context)?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
});
