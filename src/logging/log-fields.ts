/**
 * The correlation fields of a log record: trace_id, span_id, trace_flags,
 * request_id and request_chain (names configurable).
 *
 * They are computed once per span and kept in a WeakMap, so a log call pays
 * for a context lookup and a map lookup. Two forms are offered:
 *
 * - an object, for a pino `mixin`: pino merges the log call's own fields into
 *   the object a mixin returns, so each call gets a fresh one, built by a
 *   function specialised to the configured names;
 * - the same fields already written as JSON members, for the pino hook, which
 *   splices them into the finished line. Serializing five string fields on
 *   every call is most of what correlation costs a log call in pino; written
 *   once per span, it is a string concatenation per call.
 */
import { context, trace } from '@opentelemetry/api';
import type { Context, Span } from '@opentelemetry/api';
import type { LogFieldNames } from '../config';
import { DEFAULT_LOG_FIELDS } from '../config';
import { getCorrelation } from '../propagation/correlation';

export type LogFields = Record<string, string>;

/** The per-span values, in the order of `LogFieldNames`. */
type Values = readonly [traceId: string, spanId: string, traceFlags: string, requestId?: string, requestChain?: string];
type Build = (values: Values) => LogFields;

/** Returns the correlation fields of the active span: a fresh object each call, empty outside any valid span. */
export function createLogFieldsReader(names: LogFieldNames = DEFAULT_LOG_FIELDS): () => LogFields {
  const withRequest = compileBuilder(names, 5);
  const spanOnly = compileBuilder(names, 3);
  const cache = new WeakMap<Span, Values>();

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
    return values.length === 5 ? withRequest(values) : spanOnly(values);
  };
}

/**
 * Returns the correlation fields of the active span as JSON object members,
 * `"trace_id":"…","span_id":"…",…` with no surrounding braces and no
 * trailing comma; the empty string outside any valid span.
 */
export function createLogFieldsJsonReader(names: LogFieldNames = DEFAULT_LOG_FIELDS): () => string {
  const keys = fieldNames(names).map(key => JSON.stringify(key));
  const cache = new WeakMap<Span, string>();

  return function readLogFieldsJson(): string {
    const active = context.active();
    const span = trace.getSpan(active);
    if (span === undefined) return '';
    let json = cache.get(span);
    if (json === undefined) {
      const values = spanValues(span, active);
      if (values === undefined) return '';
      // JSON.stringify escapes what JSON requires: a request id may hold `"` or `\`.
      json = values.map((value, i) => `${keys[i]}:${JSON.stringify(value)}`).join(',');
      cache.set(span, json);
    }
    return json;
  };
}

/** The values for `span`, read once; `undefined` for an invalid span context. */
function spanValues(span: Span, active: Context): Values | undefined {
  const spanContext = span.spanContext();
  if (!trace.isSpanContextValid(spanContext)) return undefined;
  const flags = spanContext.traceFlags < 16 ? `0${spanContext.traceFlags.toString(16)}` : spanContext.traceFlags.toString(16);
  const correlation = getCorrelation(active);
  return correlation === undefined
    ? [spanContext.traceId, spanContext.spanId, flags]
    : [spanContext.traceId, spanContext.spanId, flags, correlation.requestId, correlation.chain];
}

function fieldNames(names: LogFieldNames): string[] {
  return [names.traceId, names.spanId, names.traceFlags, names.requestId, names.requestChain];
}

/**
 * Builds `values => ({ [names.traceId]: values[0], ... })` as a literal with
 * fixed keys, which V8 creates with one allocation and a stable shape. The
 * names were validated by config (`LOG_FIELD_NAME`) and are embedded with
 * JSON.stringify, so they cannot inject code.
 */
function compileBuilder(names: LogFieldNames, count: 3 | 5): Build {
  const keys = fieldNames(names).slice(0, count);
  const body = `return { ${keys.map((key, i) => `${JSON.stringify(key)}: values[${i}]`).join(', ')} };`;
  return new Function('values', body) as Build;
}
