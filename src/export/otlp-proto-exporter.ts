/**
 * The OTLP/HTTP protobuf span exporter, put together from the same parts
 * as `@opentelemetry/exporter-trace-otlp-proto`'s OTLPTraceExporter (the
 * export delegate, HTTP transport with retries and compression, the
 * OTEL_EXPORTER_OTLP_* environment, user agent, headers, timeout) with one
 * part changed: the request serializer is tracehop's (trace-serializer.ts).
 *
 * The parts are loaded from where that exporter package resolves them, so
 * they are the very versions it would use.
 */
import { dirname } from 'node:path';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type * as ExporterBase from '@opentelemetry/otlp-exporter-base';
import type * as ExporterBaseNodeHttp from '@opentelemetry/otlp-exporter-base/node-http';
import type { OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base/node-http';
import type * as Transformer from '@opentelemetry/otlp-transformer';
import { quietly } from '../diag';
import { SpanStandIns } from '../otlp/encoded-span';
import type { EncodedSpan, QueuedSpan } from '../otlp/encoded-span';
import { writeSpan } from '../otlp/encode-spans';
import { encodeInSlices } from './sliced-encoding';
import type { EncodingSteps } from './sliced-encoding';
import { tracehopTraceSerializer } from './trace-serializer';
import type { TraceSerializer } from './trace-serializer';

/**
 * An exporter whose spans can be encoded as they end (encoded-span.ts), and
 * whose batches can be encoded ahead of the export, a slice per turn
 * (sliced-encoding.ts). It exports spans and stand-ins alike: the
 * OpenTelemetry exporter base is generic over what it exports, and only
 * its serializer (tracehop's, trace-serializer.ts) reads the items.
 */
export interface SlicingSpanExporter {
  export(spans: QueuedSpan[], resultCallback: (result: ExportResult) => void): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
  encodeAhead(spans: QueuedSpan[]): EncodingSteps;
  /** The span's encoded stand-in, to queue in its place; throws when the span cannot be encoded. */
  encodeOnEnd(span: ReadableSpan): EncodedSpan;
}

const EXPORTER_PACKAGE = '@opentelemetry/exporter-trace-otlp-proto';

/** The exporter's `otel.component.type` for its self-observability metrics (OpenTelemetry semantic conventions). */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

/**
 * Takes what `OTLPTraceExporter` from exporter-trace-otlp-proto takes. The
 * exporter's parts (the export delegate, its HTTP transport and its
 * configuration: some thirty modules) are loaded when the first batch is
 * exported, seconds after the app has started, not in every start-up
 * (docs/performance.md, "Start-up"); the encoder, which the first span to
 * end needs, is here from the start.
 */
export function protobufTraceExporter(config: OTLPExporterNodeConfigBase = {}): SlicingSpanExporter {
  let base: ExporterBase.OTLPExporterBase<QueuedSpan[]> | undefined;
  let shutDown = false;
  const exporter = (): ExporterBase.OTLPExporterBase<QueuedSpan[]> => {
    if (base !== undefined) return base;
    // Its parts read OTEL_EXPORTER_OTLP_* again and would warn a second time about a value tracehop's configuration reported.
    base = quietly(() => exporterBase(config));
    // Shut down before its first batch: it answers every later export as a shut-down exporter does.
    if (shutDown) void base.shutdown();
    return base;
  };
  const standIns = new SpanStandIns(writeSpan);
  return {
    export: (spans, resultCallback) => exporter().export(spans, resultCallback),
    // Never built, the exporter has nothing in flight to flush or to wait for.
    forceFlush: () => (base === undefined ? Promise.resolve() : base.forceFlush()),
    shutdown: () => {
      shutDown = true;
      return base === undefined ? Promise.resolve() : base.shutdown();
    },
    encodeAhead: (spans: QueuedSpan[]) => encodeInSlices(spans),
    encodeOnEnd: (span: ReadableSpan) => standIns.encode(span),
  };
}

/** The OpenTelemetry exporter base with tracehop's serializer, as exporter-trace-otlp-proto builds it. */
function exporterBase(config: OTLPExporterNodeConfigBase): ExporterBase.OTLPExporterBase<QueuedSpan[]> {
  const base = requireBesideExporter<typeof ExporterBase>('@opentelemetry/otlp-exporter-base');
  const nodeHttp = requireBesideExporter<typeof ExporterBaseNodeHttp>('@opentelemetry/otlp-exporter-base/node-http');
  const options = nodeHttp.convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' });
  const serializer = tracehopTraceSerializer(librarySerializerWhenNeeded());
  const delegate = nodeHttp.createOtlpHttpExportDelegate(options, serializer, COMPONENT_TYPE, SPAN_METRICS_HELPER, config.selfObsMeterProvider);
  return new base.OTLPExporterBase<QueuedSpan[]>(delegate);
}

/**
 * What the exporter's self-observability metrics count a request's items
 * with: spans, one per element (as the OpenTelemetry trace exporter counts them).
 */
const SPAN_METRICS_HELPER: Transformer.IExporterMetricsHelper<QueuedSpan[]> = { name: 'span', countItems: request => request.length };

/**
 * The OpenTelemetry protobuf serializer, loaded the first time it is needed:
 * only for a batch tracehop's encoder cannot encode. Its package loads the
 * metrics and logs serializers and the metrics SDK, tens of milliseconds of
 * every start-up (or of an exit, for the hand-off) otherwise.
 */
export function librarySerializerWhenNeeded(): TraceSerializer<unknown, ReadableSpan> {
  let library: TraceSerializer<unknown, ReadableSpan> | undefined;
  const load = (): TraceSerializer<unknown, ReadableSpan> =>
    (library ??= requireBesideExporter<typeof Transformer>('@opentelemetry/otlp-transformer').ProtobufTraceSerializer);
  return {
    serializeRequest: spans => load().serializeRequest(spans),
    deserializeResponse: data => load().deserializeResponse(data),
  };
}

function requireBesideExporter<T>(request: string): T {
  const exporterDir = dirname(require.resolve(EXPORTER_PACKAGE));
  return require(require.resolve(request, { paths: [exporterDir] })) as T;
}
