/**
 * The collector's answer to an export, an ExportTraceServiceResponse
 * (opentelemetry/proto/collector/trace/v1/trace_service.proto), read into the
 * shape the OTLP exporter's response handler looks at: `partialSuccess` with
 * `rejectedSpans` and `errorMessage`, each present only when the collector
 * sent it. Reading it here, rather than with the OpenTelemetry serializer,
 * keeps that serializer's package, and the metrics SDK it loads, out of
 * every process's start-up. Throws on malformed bytes.
 */
import { WIRE_LEN, WIRE_VARINT, readFields } from './wire-reader';

export interface TracePartialSuccess {
  rejectedSpans?: number;
  errorMessage?: string;
}

export interface TraceExportResponse {
  partialSuccess?: TracePartialSuccess;
}

const RESPONSE_PARTIAL_SUCCESS = 1; // ExportTraceServiceResponse.partial_success
const PARTIAL_REJECTED_SPANS = 1; //   ExportTracePartialSuccess.rejected_spans (int64)
const PARTIAL_ERROR_MESSAGE = 2; //    ExportTracePartialSuccess.error_message

export function decodeTraceResponse(data: Uint8Array): TraceExportResponse {
  const response: TraceExportResponse = {};
  readFields(data, (field, wireType, reader) => {
    if (field !== RESPONSE_PARTIAL_SUCCESS || wireType !== WIRE_LEN) return false;
    // A repeated message field merges, as protobuf decoders do.
    const partial: TracePartialSuccess = response.partialSuccess ?? {};
    readFields(reader.bytes(), (inner, innerType, innerReader) => {
      if (inner === PARTIAL_REJECTED_SPANS && innerType === WIRE_VARINT) {
        partial.rejectedSpans = Number(BigInt.asIntN(64, innerReader.varint()));
        return true;
      }
      if (inner === PARTIAL_ERROR_MESSAGE && innerType === WIRE_LEN) {
        partial.errorMessage = innerReader.string();
        return true;
      }
      return false;
    });
    response.partialSuccess = partial;
    return true;
  });
  return response;
}
