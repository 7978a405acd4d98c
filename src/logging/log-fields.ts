/**
 * The correlation fields of a log record: trace_id, span_id, trace_flags,
 * request_id and request_chain, and in a job job_id and parent_job_id
 * (names configurable).
 *
 * They are computed once per span and kept for the last few spans
 * (recent-spans.ts), so a log call pays for a context lookup and a few
 * comparisons. Two forms are offered:
 *
 * - an object, for a pino `mixin`: pino merges the log call's own fields into
 *   the object a mixin returns, so each call gets a fresh one, built by a
 *   function specialised to the configured names;
 * - the same fields already written as JSON members, for the pino hook, which
 *   splices them into the finished line. Serializing five string fields on
 *   every call is most of what correlation costs a log call in pino; written
 *   once per span, it is a string concatenation per call.
 *
 * Fields the app added to the request (src/context/) come after ours, from
 * a fragment serialized when they were added, not per call.
 */
import { context, trace } from '@opentelemetry/api';
import type { Context, Span } from '@opentelemetry/api';
import type { LogFieldNames } from '../config';
import { DEFAULT_LOG_FIELDS } from '../config';
import { addedFieldsIn } from '../context/field-scope';
import { getCorrelation } from '../core/correlation';
import type { LogFieldReaders } from '../core/shared-state';
import { RecentSpans } from './recent-spans';

export type LogFields = Record<string, string>;

/**
 * The per-span values, in the order of `LogFieldNames`: three outside any
 * request, five in a request, six or seven in a job (its id, and the id of
 * the job that queued it).
 */
type Values = readonly [traceId: string, spanId: string, traceFlags: string, requestId?: string, requestChain?: string, jobId?: string, parentJobId?: string];
type Count = 3 | 5 | 6 | 7;
type Build = (values: Values) => LogFields;

/** Returns the correlation fields of the active span: a fresh object each call, empty outside any valid span. */
export function createLogFieldsReader(names: LogFieldNames = DEFAULT_LOG_FIELDS): () => LogFields {
  const withRequest = compileBuilder(names, 5);
  const spanOnly = compileBuilder(names, 3);
  const inJob = compileBuilder(names, 6);
  const inChildJob = compileBuilder(names, 7);
  const cache = new RecentSpans<Values>();

  return function readLogFields(): LogFields {
    const active = context.active();
    const span = trace.getSpan(active);
    if (span === undefined) return {};
    let values = cache.get(span);
    if (values === undefined) {
      values = spanValues(span, active);
      if (values === undefined) return {};
      cache.set(span, values);
    }
    if (values.length === 3) return spanOnly(values);
    // Requests first: they are the common case, and this is every log call.
    const fields = values.length === 5 ? withRequest(values) : values.length === 6 ? inJob(values) : inChildJob(values);
    // Fields the app added (addLogFields, withLogFields) follow ours, and win on a clash.
    const added = addedFieldsIn(active);
    return added === undefined ? fields : Object.assign(fields, added.fields);
  };
}

/**
 * Returns the correlation fields of the active span as JSON object members,
 * `"trace_id":"…","span_id":"…",…` with no surrounding braces and no
 * trailing comma; the empty string outside any valid span.
 *
 * The first call in a span is the common case (a few lines per request), so
 * the members are concatenated from prepared key prefixes.
 */
export function createLogFieldsJsonReader(names: LogFieldNames = DEFAULT_LOG_FIELDS): () => string {
  const [traceId, spanId, traceFlags, requestId, requestChain, jobId, parentJobId] = fieldNames(names).map(key => JSON.stringify(key));
  const spanPart = [`${traceId}:"`, `",${spanId}:"`, `",${traceFlags}:"`];
  const requestPart = [`",${requestId}:"`, `",${requestChain}:"`];
  const jobPart = [`",${jobId}:"`, `",${parentJobId}:"`];
  const cache = new RecentSpans<string>();

  return function readLogFieldsJson(): string {
    const active = context.active();
    const span = trace.getSpan(active);
    if (span === undefined) return '';
    let json = cache.get(span);
    if (json === undefined) {
      const values = spanValues(span, active);
      if (values === undefined) return '';
      // Trace and span ids and flags are hex; request ids are visible ASCII, escaped where JSON needs it.
      json = spanPart[0] + values[0] + spanPart[1] + values[1] + spanPart[2] + values[2];
      if (values.length >= 5) json += requestPart[0] + jsonStringBody(values[3]!) + requestPart[1] + jsonStringBody(values[4]!);
      if (values.length >= 6) json += jobPart[0] + jsonStringBody(values[5]!);
      if (values.length === 7) json += jobPart[1] + jsonStringBody(values[6]!);
      json += '"';
      cache.set(span, json);
    }
    // Fields the app added (addLogFields, withLogFields): serialized when added, so a call appends a cached fragment.
    const added = addedFieldsIn(active);
    return added === undefined ? json : json + added.json;
  };
}

/** Both readers for `names`: what the runtime holds (src/core/shared-state.ts). */
export function logFieldReaders(names: LogFieldNames = DEFAULT_LOG_FIELDS): LogFieldReaders {
  return { read: createLogFieldsReader(names), readJson: createLogFieldsJsonReader(names) };
}

/** `value` as the inside of a JSON string: as is unless it holds a quote or a backslash. */
function jsonStringBody(value: string): string {
  return value.includes('"') || value.includes('\\') ? JSON.stringify(value).slice(1, -1) : value;
}

/** The values for `span`, read once; `undefined` for an invalid span context. */
function spanValues(span: Span, active: Context): Values | undefined {
  const spanContext = span.spanContext();
  if (!trace.isSpanContextValid(spanContext)) return undefined;
  const flags = spanContext.traceFlags < 16 ? `0${spanContext.traceFlags.toString(16)}` : spanContext.traceFlags.toString(16);
  const correlation = getCorrelation(active);
  if (correlation === undefined) return [spanContext.traceId, spanContext.spanId, flags];
  const { requestId, chain, jobId, parentJobId } = correlation;
  if (jobId === undefined) return [spanContext.traceId, spanContext.spanId, flags, requestId, chain];
  return parentJobId === undefined
    ? [spanContext.traceId, spanContext.spanId, flags, requestId, chain, jobId]
    : [spanContext.traceId, spanContext.spanId, flags, requestId, chain, jobId, parentJobId];
}

function fieldNames(names: LogFieldNames): string[] {
  return [names.traceId, names.spanId, names.traceFlags, names.requestId, names.requestChain, names.jobId, names.parentJobId];
}

/**
 * Builds `values => ({ [names.traceId]: values[0], ... })` as a literal with
 * fixed keys, which V8 creates with one allocation and a stable shape. The
 * names were validated by config (`LOG_FIELD_NAME`) and are embedded with
 * JSON.stringify, so they cannot inject code.
 */
function compileBuilder(names: LogFieldNames, count: Count): Build {
  const keys = fieldNames(names).slice(0, count);
  const body = `return { ${keys.map((key, i) => `${JSON.stringify(key)}: values[${i}]`).join(', ')} };`;
  return new Function('values', body) as Build;
}
