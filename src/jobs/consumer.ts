/**
 * Runs one attempt of a job as a CONSUMER span (OpenTelemetry messaging
 * semantic conventions: `process <destination>`), with the request's
 * correlation and the job's ids in its context, so that log lines and
 * outgoing calls made while the job runs carry them.
 *
 * The parent is taken from the job's carrier only, never from the context
 * the consumer happens to run in: a long-lived worker's loop was started in
 * some context (start-up, or the request that created the worker), and
 * inheriting it would put every job into one endless trace.
 *
 * - `child` (TRACEHOP_JOB_TRACE, the default): the span continues the
 *   producer's trace, so a trace viewer shows a request and its jobs together.
 * - `link`: each job starts its own trace, with a span link to the producer,
 *   the conventions' choice, better for fan-out to thousands of jobs.
 * - A recurring (repeatable or scheduled) job starts a new trace on every run
 *   in either mode, with a new request id born there.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { Context, Link, Span } from '@opentelemetry/api';
import { traceIdToUuid } from '../core/ids/trace-id';
import { decideRequest } from '../core/request-start';
import type { TracehopRuntime } from '../core/shared-state';
import { reporter } from '../diag';
import { REQUEST_CHAIN_ATTRIBUTE, REQUEST_ID_ATTRIBUTE, RequestCorrelation, getCorrelation, setCorrelation } from '../core/correlation';
import { PARENT_JOB_ID_KEY, carrierGetter, hasTraceContext } from './carrier';
import type { JobCarrier } from './carrier';
import { PARENT_JOB_ID_ATTRIBUTE, consumerAttributes } from './semconv';
import type { ConsumerOptions } from './consumer-options';

/** What a consumer needs of the runtime: the trace mode, and what decides a request and its trace id. */
export type JobRuntime = Pick<TracehopRuntime, 'idGenerator' | 'requestIds' | 'jobTrace'>;

/** Errors BullMQ throws to move a job on (delay it, wait for children, rate-limit), not failures. */
const CONTROL_FLOW_ERRORS = new Set(['DelayedError', 'WaitingError', 'WaitingChildrenError', 'RateLimitError']);

/**
 * Runs `fn` as the consumer of one message, in a CONSUMER span whose context
 * holds the request's correlation and the job's ids. A rejection or throw is
 * recorded on the span (status ERROR) and passed on unchanged.
 */
export function consume<T>(runtime: JobRuntime, carrier: JobCarrier | undefined, options: ConsumerOptions, fn: () => T): T {
  let span: Span;
  let jobContext: Context;
  try {
    ({ span, jobContext } = startConsumerSpan(runtime, carrier ?? {}, options));
  } catch (error) {
    // Telemetry never stands in the job's way: the job runs, untraced.
    reporter.warn('job span failed', `a job ran without its span and log fields: ${error instanceof Error ? error.message : typeof error}`);
    return fn();
  }
  let result: T;
  try {
    result = context.with(jobContext, fn);
  } catch (error) {
    // The job's own error: recorded on the span, and passed on unchanged.
    endWithError(span, error);
    throw error;
  }
  if (result !== null && typeof (result as { then?: unknown })?.then === 'function') {
    (result as unknown as PromiseLike<unknown>).then(
      () => span.end(),
      error => endWithError(span, error),
    );
    return result;
  }
  span.end();
  return result;
}

function startConsumerSpan(runtime: JobRuntime, carrier: JobCarrier, options: ConsumerOptions): { span: Span; jobContext: Context } {
  // A recurring run decides nothing: its trace id is random and its request id is born from it, below.
  const start =
    options.recurring === true
      ? { context: ROOT_CONTEXT, traceId: undefined }
      : decideRequest(propagation.extract(ROOT_CONTEXT, carrier, carrierGetter), runtime.requestIds);
  const extracted = start.context;
  const producer = hasTraceContext(extracted) ? trace.getSpanContext(extracted) : undefined;
  const asChild = runtime.jobTrace === 'child' && options.recurring !== true && producer !== undefined;
  const incoming = options.recurring === true ? undefined : getCorrelation(extracted);
  const parentJobId = options.recurring === true ? undefined : carrier[PARENT_JOB_ID_KEY];
  const links: Link[] = producer !== undefined && !asChild ? [{ context: producer }] : [];
  // Link mode keeps the request's baggage; a recurring run starts from nothing.
  const base = asChild ? extracted : options.recurring === true ? ROOT_CONTEXT : trace.deleteSpan(extracted);
  const tracer = trace.getTracer('tracehop-jobs');
  // The trace id is armed only for a job that starts a trace (no producer to continue or link to).
  const span = runtime.idGenerator.withTraceId(start.traceId, () =>
    tracer.startSpan(
      `process ${options.name}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: consumerAttributes(options),
        links,
      },
      base,
    ),
  );
  const spanContext = span.spanContext();
  // A job with no request behind it gets a request id born here: its own trace id, as for a request.
  const requestId = incoming?.requestId ?? traceIdToUuid(spanContext.traceId);
  const correlation = new RequestCorrelation(requestId, incoming?.incomingChain ?? [requestId]);
  correlation.jobId = options.jobId;
  if (parentJobId !== undefined && parentJobId.length > 0) correlation.parentJobId = parentJobId;
  // The job is a hop of its own, as a server span is: its span id joins the chain.
  correlation.enterHop(spanContext.spanId);
  // A crash out of the job's code is recorded here, as a request's is on its server span.
  correlation.rootSpan = span;
  span.setAttribute(REQUEST_ID_ATTRIBUTE, correlation.requestId);
  span.setAttribute(REQUEST_CHAIN_ATTRIBUTE, correlation.chain);
  if (correlation.parentJobId !== undefined) span.setAttribute(PARENT_JOB_ID_ATTRIBUTE, correlation.parentJobId);
  return { span, jobContext: trace.setSpan(setCorrelation(base, correlation), span) };
}

function endWithError(span: Span, error: unknown): void {
  try {
    const name = (error as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && CONTROL_FLOW_ERRORS.has(name)) {
      span.end();
      return;
    }
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    span.end();
  } catch (error) {
    // The job's own error goes on to the caller unchanged; what is lost is its record on the span.
    reporter.warn('job span end failed', `a job's span was not ended with its error: ${error instanceof Error ? error.message : typeof error}`);
  }
}
