import { sleep } from './process';

/** The parts of Jaeger's query API (JSON, /api/...) that the tests look at. */
export interface JaegerKeyValue {
  key: string;
  type: string;
  value: unknown;
}

export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: JaegerReference[];
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags: JaegerKeyValue[];
  logs: Array<{ timestamp: number; fields: JaegerKeyValue[] }>;
  processID: string;
  warnings: string[] | null;
}

export interface JaegerProcess {
  serviceName: string;
  tags: JaegerKeyValue[];
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, JaegerProcess>;
  warnings: string[] | null;
}

interface JaegerResponse<T> {
  data: T | null;
  errors: Array<{ code: number; msg: string }> | null;
}

export interface JaegerApi {
  /** The trace with this id (32 hex digits), or null while Jaeger has none of its spans. */
  getTrace(traceIdHex: string): Promise<JaegerTrace | null>;
  /** Traces of `service` from the last hour whose spans carry all `tags` (span or resource attributes). */
  findTraces(service: string, tags?: Record<string, string>, limit?: number): Promise<JaegerTrace[]>;
  getServices(): Promise<string[]>;
  /**
   * Polls getTrace until the trace exists and `predicate` holds: spans of one
   * trace can arrive in several batches, so a test waits for the state it
   * expects (e.g. `t => t.spans.length === 3`) rather than for the first span.
   */
  waitForTrace(traceIdHex: string, predicate: (trace: JaegerTrace) => boolean, timeoutMs?: number): Promise<JaegerTrace>;
}

const POLL_INTERVAL_MS = 200;

export function jaegerApi(queryUrl: string): JaegerApi {
  const base = queryUrl.replace(/\/+$/, '');

  async function getJson<T>(pathAndQuery: string): Promise<{ status: number; body: JaegerResponse<T> | undefined }> {
    const res = await fetch(`${base}${pathAndQuery}`, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (res.status === 404) return { status: 404, body: undefined };
    if (!res.ok) throw new Error(`GET ${pathAndQuery}: HTTP ${res.status}: ${text}`);
    return { status: res.status, body: JSON.parse(text) as JaegerResponse<T> };
  }

  const getTrace = async (traceIdHex: string): Promise<JaegerTrace | null> => {
    const { body } = await getJson<JaegerTrace[]>(`/api/traces/${encodeURIComponent(traceIdHex.toLowerCase())}`);
    return body?.data?.[0] ?? null;
  };

  const findTraces = async (service: string, tags: Record<string, string> = {}, limit = 100): Promise<JaegerTrace[]> => {
    const nowMicros = Date.now() * 1000;
    const params = new URLSearchParams({
      service,
      start: String(nowMicros - 3_600_000_000),
      end: String(nowMicros + 60_000_000),
      limit: String(limit),
    });
    if (Object.keys(tags).length > 0) params.set('tags', JSON.stringify(tags));
    const { body } = await getJson<JaegerTrace[]>(`/api/traces?${params.toString()}`);
    return body?.data ?? [];
  };

  const getServices = async (): Promise<string[]> => {
    const { body } = await getJson<string[]>('/api/services');
    return body?.data ?? [];
  };

  const waitForTrace = async (traceIdHex: string, predicate: (trace: JaegerTrace) => boolean, timeoutMs = 15_000): Promise<JaegerTrace> => {
    const deadline = Date.now() + timeoutMs;
    let last: JaegerTrace | null = null;
    for (;;) {
      last = await getTrace(traceIdHex);
      if (last && predicate(last)) return last;
      if (Date.now() >= deadline) break;
      await sleep(POLL_INTERVAL_MS);
    }
    const seen = last ? `it has ${last.spans.length} span(s): ${last.spans.map(s => s.operationName).join(', ')}` : 'Jaeger has no span of it';
    throw new Error(`trace ${traceIdHex} did not reach the expected state within ${timeoutMs} ms; ${seen}`);
  };

  return { getTrace, findTraces, getServices, waitForTrace };
}

/** Span id of the CHILD_OF parent, or undefined for a root span. */
export function parentSpanId(span: JaegerSpan): string | undefined {
  return span.references.find(ref => ref.refType === 'CHILD_OF')?.spanID;
}

/** Value of a span attribute as Jaeger reports it. */
export function spanTag(span: JaegerSpan, key: string): unknown {
  return span.tags.find(tag => tag.key === key)?.value;
}

/** service.name of the resource that emitted the span. */
export function serviceName(trace: JaegerTrace, span: JaegerSpan): string | undefined {
  return trace.processes[span.processID]?.serviceName;
}
