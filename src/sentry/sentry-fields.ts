/**
 * What tracehop adds to a Sentry event and how a pino line becomes a
 * breadcrumb. Pure functions: input in, value or `null` out.
 */
import type { CurrentRequest } from '../context';
import type { SentryBreadcrumb, SentryEvent, SentryPropagationContext } from './sentry-core';
import { lineLevel } from '../logging/log-span-events';

/** The event with the request id as a tag (an app's own tag of that name wins) and the chain in a `tracehop` context. */
export function eventWithRequest(event: SentryEvent, request: CurrentRequest, tag: string): SentryEvent {
  if (event.tags?.[tag] === undefined) event.tags = { ...event.tags, [tag]: request.requestId };
  event.contexts = { ...event.contexts, tracehop: { request_id: request.requestId, request_chain: request.chain } };
  return event;
}

/**
 * The event's span id made the request's, for a client whose own tracing is
 * off: a span of Sentry's active then (Sentry's Fastify integration starts
 * one for every request, tracing on or off) is a non-recording placeholder,
 * in the request's trace but sent nowhere, and its id leads to nothing.
 * Events in another trace are left as they are.
 */
export function eventWithRequestSpan(event: SentryEvent, request: CurrentRequest): SentryEvent {
  const trace = event.contexts?.trace;
  if (trace === undefined || trace.trace_id !== request.traceId || trace.span_id === request.spanId) return event;
  event.contexts = { ...event.contexts, trace: { ...trace, span_id: request.spanId } };
  return event;
}

/**
 * The event with the request's pino breadcrumbs (category `pino`) from
 * `fromScope` added, in time order with the event's own: for an event
 * captured where Sentry no longer had the request's scope.
 */
export function eventWithBreadcrumbs(event: SentryEvent, fromScope: readonly SentryBreadcrumb[], max = 100): SentryEvent {
  const ours = fromScope.filter(crumb => crumb.category === 'pino');
  if (ours.length === 0) return event;
  // A stable sort: crumbs of the same time keep their order, the event's first. The latest `max` (Sentry's maxBreadcrumbs) are kept.
  const merged = [...(event.breadcrumbs ?? []), ...ours].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
  event.breadcrumbs = max > 0 ? merged.slice(-max) : [];
  return event;
}

/**
 * The propagation context Sentry's spans of a request start from, moved into
 * the request's trace: `null` when it is there already (the caller sent a
 * `sentry-trace` of this trace). Otherwise the trace id is the request's;
 * the random sample value and the propagation span id are kept; a parent
 * span, a sampling decision and a dynamic sampling context of another trace
 * are dropped, since they belong to that trace.
 */
export function propagationInTrace(current: SentryPropagationContext, traceId: string): SentryPropagationContext | null {
  if (current.traceId === traceId) return null;
  const moved: SentryPropagationContext = { traceId, sampleRand: current.sampleRand };
  if (current.propagationSpanId !== undefined) moved.propagationSpanId = current.propagationSpanId;
  return moved;
}

/** Sentry's breadcrumb levels, from pino's level numbers (10 trace and 20 debug are both `debug`). */
function sentryLevel(level: number): SentryBreadcrumb['level'] {
  if (level >= 60) return 'fatal';
  if (level >= 50) return 'error';
  if (level >= 40) return 'warning';
  if (level >= 30) return 'info';
  return 'debug';
}

/** pino's own members, which the breadcrumb says in its level, message and time. */
const RECORD_MEMBERS = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/**
 * A pino line at `threshold` or above as a breadcrumb: category `pino`, the
 * message, Sentry's level, pino's `time` (epoch milliseconds) in seconds, and
 * the record's other members as data. `null` below the threshold or for a
 * line that is not a JSON object (a custom serializer).
 */
export function breadcrumbOfLine(line: string, threshold: number): SentryBreadcrumb | null {
  const level = lineLevel(line);
  if (level < threshold || level === 0) return null;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    // Nothing is lost that could be kept: a line that is not JSON cannot be read as a record.
    return null;
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return null;
  const fields = record as Record<string, unknown>;
  const breadcrumb: SentryBreadcrumb = { type: 'default', category: 'pino', level: sentryLevel(level) };
  if (typeof fields.msg === 'string') breadcrumb.message = fields.msg;
  if (typeof fields.time === 'number') breadcrumb.timestamp = fields.time / 1000;
  const data: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) if (!RECORD_MEMBERS.has(name)) data[name] = value;
  if (Object.keys(data).length > 0) breadcrumb.data = data;
  return breadcrumb;
}
