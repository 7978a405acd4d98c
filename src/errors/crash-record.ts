/**
 * Records an uncaught exception or unhandled rejection on the request that
 * caused it: an `exception` event and status ERROR on the request's root
 * span (its server span, or runAsRequest's span), which is then ended, so
 * the exit hand-off (src/export/exit-hand-off.ts) exports it before the
 * process ends; and the crash line for stderr. It changes nothing about what
 * the process does next: register calls it from `uncaughtExceptionMonitor`,
 * which observes, and Node then behaves as it would without tracehop.
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
 * Records `error` and returns the line to write to stderr, or `undefined`
 * when this error was already recorded.
 */
export function recordCrash(error: unknown, origin: string, names: LogFieldNames): string | undefined {
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
  const ids: CrashIds = {
    traceId: span?.spanContext().traceId,
    spanId: span?.spanContext().spanId,
    requestId: correlation?.requestId,
    requestChain: correlation?.chain,
  };
  if (span !== undefined) markFailed(span, error, origin, where);
  return crashLine(error, ids, { time: Date.now(), pid: process.pid, hostname: hostname(), origin }, names);
}

/**
 * On the root span while it is still open. An ended span takes no more
 * events: a crash from a timer the request left behind, after its answer,
 * goes on a short child span of the root instead, so it is still found
 * under the request in its trace.
 */
function markFailed(root: Span, error: unknown, origin: string, where: Context): void {
  const span = root.isRecording()
    ? root
    : trace.getTracer('tracehop').startSpan(origin, { kind: SpanKind.INTERNAL }, trace.setSpan(where, root));
  span.recordException(error instanceof Error ? error : ({ message: String(error) } as Exception));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.end();
}
