/**
 * Records an uncaught exception or unhandled rejection on the request that
 * caused it: an `exception` event and status ERROR on the request's root
 * span (its server span, or runAsRequest's span).
 *
 * What happens next depends on whether the process is going down, which
 * the caller knows (src/runtime/process-hooks.ts):
 * - going down (no handler of the app's for the error: Node is about to
 *   print its message and exit): the root span is ended, so the exit
 *   hand-off (src/export/exit-hand-off.ts) exports it before the process
 *   ends, since the request itself never will; and the crash line for
 *   stderr is returned;
 * - surviving (the app's own `uncaughtException` or `unhandledRejection`
 *   handler takes the error and the app keeps serving): the span is left
 *   open for its request to end as it always does, so it keeps its true
 *   duration, and there is no crash line, because nothing crashed.
 * Either way it changes nothing about what the process does next.
 */
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Context, Exception, Span } from '@opentelemetry/api';
import { hostname } from 'node:os';
import type { LogFieldNames } from '../config';
import { getCorrelation } from '../core/correlation';
import { crashLine } from './crash-line';
import type { CrashIds } from './crash-line';
import { contextOfError } from './error-context';

/** Errors already recorded: an app's rejection handler that rethrows brings the same error back. */
const recorded = new WeakSet<object>();
let lastPrimitive: unknown;

/**
 * Records `error` and returns the line to write to stderr when
 * `goingDown`; `undefined` when the app survives it, or when this error
 * was already recorded.
 */
export function recordCrash(error: unknown, origin: string, names: LogFieldNames, goingDown: boolean): string | undefined {
  if (error !== null && typeof error === 'object') {
    if (recorded.has(error)) return undefined;
    recorded.add(error);
  } else {
    if (lastPrimitive !== undefined && lastPrimitive === error) return undefined;
    lastPrimitive = error;
  }
  const where = contextOfError(error) ?? context.active();
  const correlation = getCorrelation(where);
  const span = correlation?.rootSpan ?? trace.getSpan(where);
  if (span !== undefined) markFailed(span, error, origin, where, goingDown);
  if (!goingDown) return undefined;
  const ids: CrashIds = {
    traceId: span?.spanContext().traceId,
    spanId: span?.spanContext().spanId,
    requestId: correlation?.requestId,
    requestChain: correlation?.chain,
  };
  return crashLine(error, ids, { time: Date.now(), pid: process.pid, hostname: hostname(), origin }, names);
}

/**
 * On the root span while it is still open; ended only when the process is
 * going down (see above). An ended span takes no more events: an error from
 * a timer the request left behind, after its answer, goes on a short child
 * span of the root instead, ours to end, so it is still found under the
 * request in its trace.
 */
function markFailed(root: Span, error: unknown, origin: string, where: Context, goingDown: boolean): void {
  const open = root.isRecording();
  const span = open ? root : trace.getTracer('tracehop').startSpan(origin, { kind: SpanKind.INTERNAL }, trace.setSpan(where, root));
  span.recordException(error instanceof Error ? error : ({ message: String(error) } as Exception));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  if (!open || goingDown) span.end();
}
