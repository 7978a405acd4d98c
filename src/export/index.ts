/**
 * tracehop's OTLP/HTTP protobuf export path: its own encoder of finished
 * spans into an ExportTraceServiceRequest, byte for byte what the
 * OpenTelemetry serializer writes at a fraction of the CPU
 * (docs/performance.md), and the exporter built around it from the
 * OpenTelemetry exporter's own parts. http/json stays entirely on the
 * OpenTelemetry exporter.
 */
export { encodeTraceRequest } from '../otlp/encode-spans';
export { isEncodedSpan } from '../otlp/encoded-span';
export type { EncodedSpan, QueuedSpan } from '../otlp/encoded-span';
export { librarySerializerWhenNeeded, protobufTraceExporter } from './otlp-proto-exporter';
export type { SlicingSpanExporter } from './otlp-proto-exporter';
export { ENCODE_SLICE_SPANS, encodeInSlices, encodedAheadOf } from './sliced-encoding';
export type { EncodingSteps } from './sliced-encoding';
export { tracehopTraceSerializer } from './trace-serializer';
export type { TraceSerializer } from './trace-serializer';
