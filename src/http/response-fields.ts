/**
 * The response headers tracehop adds, as pure functions over header values:
 * the request id, `Access-Control-Expose-Headers` for browsers (CORS), and
 * `Server-Timing: traceparent;desc="..."`, each appended to what the app set,
 * never replacing it and never twice.
 */
import type { SpanContext } from '@opentelemetry/api';

export const EXPOSE_HEADERS_HEADER = 'Access-Control-Expose-Headers';
export const SERVER_TIMING_HEADER = 'Server-Timing';

type HeaderValue = string | number | readonly string[] | undefined;

function joined(value: HeaderValue): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * Fetch standard, CORS: a comma-separated list of header names. Returns the
 * list with `names` appended, compared case-insensitively, or `null` when
 * every name is already there.
 */
export function appendExposedHeaders(existing: HeaderValue, names: readonly string[]): string | null {
  const current = joined(existing);
  const present = new Set(
    current
      .split(',')
      .map(token => token.trim().toLowerCase())
      .filter(token => token !== ''),
  );
  const missing = names.filter(name => !present.has(name.toLowerCase()));
  if (missing.length === 0) return null;
  return current.trim() === '' ? missing.join(', ') : `${current}, ${missing.join(', ')}`;
}

/**
 * The `traceparent` Server-Timing metric (W3C Server Timing): the version-00
 * traceparent of the server span in `desc`, read by browser monitoring
 * agents to link a page load to its backend trace.
 */
export function traceparentTiming(spanContext: SpanContext): string {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `traceparent;desc="00-${spanContext.traceId}-${spanContext.spanId}-${flags}"`;
}

/** The app's Server-Timing metrics with ours appended, or `null` when a `traceparent` metric is already there. */
export function appendServerTiming(existing: HeaderValue, metric: string): string | null {
  const current = joined(existing);
  if (/(^|,)\s*traceparent\s*(;|,|$)/i.test(current)) return null;
  return current.trim() === '' ? metric : `${current}, ${metric}`;
}
