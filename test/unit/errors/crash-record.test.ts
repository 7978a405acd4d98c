/**
 * An error recorded on its request's span: a crash (the process is going
 * down) ends the span and gives the fatal line; an error the app survives
 * leaves the span to its request and writes nothing.
 */
import { DiagLogLevel, SpanStatusCode, context, diag, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { DEFAULT_LOG_FIELDS } from '../../../src/config';
import { recordCrash } from '../../../src/errors/crash-record';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const diagLines: string[] = [];

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  const note = (message: string) => {
    diagLines.push(message);
  };
  diag.setLogger({ error: note, warn: note, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.WARN);
});
afterAll(() => {
  context.disable();
  trace.disable();
  diag.disable();
});
afterEach(() => {
  exporter.reset();
  diagLines.length = 0;
});

function inRequest<T>(fn: (span: Span) => T): { span: Span; result: T } {
  const span = trace.getTracer('test').startSpan('GET /timer');
  const result = context.with(trace.setSpan(context.active(), span), () => fn(span));
  return { span, result };
}

test('an error the app survives: exception and ERROR on the open span, which its request ends; no line, no noise', () => {
  const { span, result } = inRequest(() => recordCrash(new TypeError('survived'), 'uncaughtException', DEFAULT_LOG_FIELDS, false));
  expect(result).toBeUndefined();
  expect(span.isRecording()).toBe(true);
  expect(exporter.getFinishedSpans()).toHaveLength(0);
  // The request ends its span as it always does, and may still set attributes on it.
  span.setAttribute('http.response.status_code', 200);
  span.end();
  const [finished] = exporter.getFinishedSpans();
  expect(exporter.getFinishedSpans()).toHaveLength(1);
  expect(finished.status).toEqual({ code: SpanStatusCode.ERROR, message: 'survived' });
  expect(finished.events.map(event => event.name)).toEqual(['exception']);
  expect(finished.events[0].attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'survived' });
  expect(finished.attributes['http.response.status_code']).toBe(200);
  expect(diagLines).toEqual([]);
});

test('a crash: the span is ended for the exit hand-off, and the fatal line names it', () => {
  const { span, result } = inRequest(() => recordCrash(new Error('crashed'), 'uncaughtException', DEFAULT_LOG_FIELDS, true));
  expect(span.isRecording()).toBe(false);
  const [finished] = exporter.getFinishedSpans();
  expect(finished.status.code).toBe(SpanStatusCode.ERROR);
  expect(JSON.parse(result!)).toMatchObject({
    level: 60,
    msg: 'uncaught exception: crashed',
    trace_id: finished.spanContext().traceId,
    span_id: finished.spanContext().spanId,
  });
});

test.each([false, true])("an error after the request ended (going down: %s) goes on a short child span; the request's span is untouched", goingDown => {
  const span = trace.getTracer('test').startSpan('GET /timer');
  span.end();
  context.with(trace.setSpan(context.active(), span), () => recordCrash(new Error(`late ${goingDown}`), 'unhandledRejection', DEFAULT_LOG_FIELDS, goingDown));
  const [root, child] = exporter.getFinishedSpans();
  expect(root.status.code).toBe(SpanStatusCode.UNSET);
  expect(child.name).toBe('unhandledRejection');
  expect(child.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
  expect(child.status.code).toBe(SpanStatusCode.ERROR);
  expect(diagLines).toEqual([]);
});

test('the same error twice (a rethrowing rejection handler) is recorded once', () => {
  const error = new Error('twice');
  const { span } = inRequest(() => {
    recordCrash(error, 'unhandledRejection', DEFAULT_LOG_FIELDS, false);
    return recordCrash(error, 'uncaughtException', DEFAULT_LOG_FIELDS, false);
  });
  span.end();
  expect(exporter.getFinishedSpans()[0].events).toHaveLength(1);
});
