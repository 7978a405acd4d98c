/**
 * One complete trace as a tree of spans with their logs: the `--json`
 * document and what the human output draws. Pure: spans and logs in, a
 * document out.
 */
import type { LogRecord } from './log-index';
import type { ReceivedAttributes, ReceivedSpan } from '../../otlp/decode-protobuf';

/** OTLP SpanKind numbers (trace/v1/trace.proto) by their lowercase names, as OpenTelemetry APIs spell them. */
const KIND_NAMES = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
/** OTLP StatusCode numbers. */
const STATUS_NAMES = ['unset', 'ok', 'error'];

export interface SpanNode {
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly service: string;
  readonly name: string;
  readonly kind: string;
  /** Milliseconds from the trace's first start to this span's start. */
  readonly startMs: number;
  readonly durationMs: number;
  readonly status: { readonly code: string; readonly message?: string };
  readonly attributes: Record<string, unknown>;
  readonly children: SpanNode[];
  readonly logs: LogRecord[];
}

export interface TraceDocument {
  readonly traceId: string;
  /** The `request.id` attribute tracehop puts on every span, when present. */
  readonly requestId: string | null;
  readonly durationMs: number;
  readonly spanCount: number;
  /** Spans whose parent is not in the trace: the true root, and any span whose parent never arrived. */
  readonly roots: SpanNode[];
}

/** Builds the tree. `logsOf` is asked once per span for the records that carry its id. */
export function buildTraceDocument(traceId: string, spans: readonly ReceivedSpan[], logsOf: (spanId: string) => LogRecord[]): TraceDocument {
  // A span sent twice (an exporter's retry) is one span.
  const unique = new Map<string, ReceivedSpan>();
  for (const span of spans) unique.set(span.spanId, span);
  const all = [...unique.values()];
  const start = all.reduce((min, span) => (span.startTimeUnixNano < min ? span.startTimeUnixNano : min), all[0]?.startTimeUnixNano ?? 0n);
  const end = all.reduce((max, span) => (span.endTimeUnixNano > max ? span.endTimeUnixNano : max), start);
  const nodes = new Map<string, SpanNode>();
  for (const span of all) nodes.set(span.spanId, toNode(span, start, logsOf(span.spanId)));
  const roots: SpanNode[] = [];
  for (const span of all) {
    const node = nodes.get(span.spanId) as SpanNode;
    const parent = span.parentSpanId === undefined ? undefined : nodes.get(span.parentSpanId);
    (parent !== undefined && parent !== node ? parent.children : roots).push(node);
  }
  const byStart = (a: SpanNode, b: SpanNode): number => a.startMs - b.startMs;
  const sortTree = (list: SpanNode[]): void => {
    list.sort(byStart);
    for (const node of list) sortTree(node.children);
  };
  sortTree(roots);
  return {
    traceId,
    requestId: findRequestId(roots, all),
    durationMs: nanosToMs(end - start),
    spanCount: all.length,
    roots,
  };
}

function toNode(span: ReceivedSpan, traceStart: bigint, logs: LogRecord[]): SpanNode {
  const duration = span.endTimeUnixNano > span.startTimeUnixNano ? span.endTimeUnixNano - span.startTimeUnixNano : 0n;
  return {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? null,
    service: span.service,
    name: span.name,
    kind: KIND_NAMES[span.kind] ?? String(span.kind),
    startMs: nanosToMs(span.startTimeUnixNano - traceStart),
    durationMs: nanosToMs(duration),
    status: {
      code: STATUS_NAMES[span.statusCode] ?? String(span.statusCode),
      ...(span.statusMessage ? { message: span.statusMessage } : {}),
    },
    attributes: jsonAttributes(span.attributes),
    children: [],
    logs,
  };
}

/** The root's `request.id`, else any span's: every span of a tracehop request carries it. */
function findRequestId(roots: readonly SpanNode[], spans: readonly ReceivedSpan[]): string | null {
  for (const node of roots) if (typeof node.attributes['request.id'] === 'string') return node.attributes['request.id'];
  for (const span of spans) if (typeof span.attributes['request.id'] === 'string') return span.attributes['request.id'];
  return null;
}

/** Bytes values become base64, as the OTLP/JSON encoding writes them; everything else is JSON already. */
function jsonAttributes(attributes: ReceivedAttributes): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) out[key] = value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
  return out;
}

/** Microsecond precision is plenty for a person and keeps the JSON short. */
function nanosToMs(nanos: bigint): number {
  return Number(nanos / 1000n) / 1000;
}
