/**
 * `runAsRequest`: work that no incoming request started (a script, a CLI
 * command, a cron tick, a consumer of a queue tracehop does not hook) run
 * as a request of its own, with a request id, a root span, log fields and
 * outgoing propagation, just as an HTTP request gets them.
 *
 * The root span is INTERNAL: in the OpenTelemetry semantic conventions
 * SERVER is the server side of a remote call, and nothing remote called
 * this work (a queue consumer that wants CONSUMER starts its own span
 * inside). Since a span that is not SERVER never enters a hop
 * (CorrelationSpanProcessor), a chain given in `options.requestId` gets
 * this span's id as its hop here.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Context, Span } from '@opentelemetry/api';
import { reporter, tracehopDiag } from '../diag';
import { requestIdToTraceId } from '../core/ids/trace-id';
import { REQUEST_CHAIN_ATTRIBUTE, RequestCorrelation, setCorrelation } from '../core/correlation';
import { sharedRuntime } from '../core/shared-state';
import type { TracehopRuntime } from '../core/shared-state';

/** Options of `runAsRequest`. */
export interface RunAsRequestOptions {
  /** The root span's name; default `request`. Name the work, not the instance: `nightly-report`, not `report 2026-12-01`. */
  readonly name?: string;
  /**
   * The request id to use, validated (and transformed) like an incoming
   * `X-Request-ID` (a
   * chain `root,hop,...` continues that chain); a new id when absent or
   * unacceptable (reported once through diag, without the value).
   */
  readonly requestId?: string;
}

type RequestRuntime = Pick<TracehopRuntime, 'idGenerator' | 'requestIds'>;

let reportedBadId = false;

/**
 * Runs `fn` as a request of its own: a new request id (or
 * `options.requestId`), a root span named `options.name`, the request's log
 * fields on every pino line and its ids on every outgoing call. Returns what
 * `fn` returns, a promise included; the span ends when `fn` returns or its
 * promise settles, with status ERROR and an exception event if it threw or
 * rejected, and the error reaches the caller unchanged. With tracehop off it
 * runs `fn` plainly. It uses the running tracehop (the preload's),
 * whichever copy of tracehop it was imported from.
 *
 *     await runAsRequest(() => sendNightlyReport(), { name: 'nightly-report' });
 */
export function runAsRequest<T>(fn: () => T, options: RunAsRequestOptions = {}): T {
  let span: Span | undefined;
  let scoped: Context | undefined;
  try {
    const runtime = sharedRuntime();
    if (runtime !== undefined) ({ span, scoped } = startRequest(runtime, options ?? {}));
  } catch (error) {
    // `fn` still runs, below, as it would untraced: only its span and ids are lost.
    span = undefined;
    reporter.warn(
      'runAsRequest start failed',
      `runAsRequest: fn ran without its span and request id: ${error instanceof Error ? error.message : typeof error}`,
    );
  }
  if (span === undefined || scoped === undefined) return fn();
  const root = span;
  let result: T;
  try {
    result = context.with(scoped, fn);
  } catch (error) {
    // The app's own error: recorded on the span, and passed on unchanged.
    endSpan(root, error, true);
    throw error;
  }
  if (!isPromiseLike(result)) {
    endSpan(root, undefined, false);
    return result;
  }
  return result.then(
    value => {
      endSpan(root, undefined, false);
      return value;
    },
    (error: unknown) => {
      endSpan(root, error, true);
      throw error;
    },
  ) as T;
}

function startRequest(runtime: RequestRuntime, options: RunAsRequestOptions) {
  const parsed = options.requestId === undefined ? null : runtime.requestIds.parse(options.requestId);
  if (options.requestId !== undefined && parsed === null && !reportedBadId) {
    reportedBadId = true;
    tracehopDiag.warn('runAsRequest: options.requestId is not an acceptable request id; a new one was used');
  }
  const requestId = parsed?.id ?? runtime.requestIds.generate();
  const correlation = new RequestCorrelation(requestId, parsed !== null && parsed.chain.length > 1 ? parsed.chain : null);
  const base = setCorrelation(ROOT_CONTEXT, correlation);
  const name = typeof options.name === 'string' && options.name !== '' ? options.name : 'request';
  // The root span takes the trace id the request id maps to, as a server span does (id-generator.ts).
  const span = runtime.idGenerator.withTraceId(requestIdToTraceId(requestId), () =>
    trace.getTracer('tracehop').startSpan(name, { kind: SpanKind.INTERNAL, root: true }, base),
  );
  correlation.rootSpan = span;
  if (correlation.enterHop(span.spanContext().spanId) && correlation.incomingChain !== null) {
    span.setAttribute(REQUEST_CHAIN_ATTRIBUTE, correlation.chain);
  }
  return { span, scoped: trace.setSpan(base, span) };
}

function endSpan(span: Span, error: unknown, failed: boolean): void {
  try {
    if (failed) {
      if (error instanceof Error) span.recordException(error);
      else span.recordException({ message: String(error) });
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : undefined });
    }
    span.end();
  } catch (error) {
    // The app's result or error reaches the caller unchanged; what is lost is the span's ending.
    reporter.warn('runAsRequest end failed', `runAsRequest: a span was not ended: ${error instanceof Error ? error.message : typeof error}`);
  }
}

function isPromiseLike<T>(value: T): value is T & PromiseLike<Awaited<T>> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}
