/**
 * The serializer tracehop's OTLP/HTTP protobuf exporter is built with:
 * requests encoded by tracehop's own encoder (encode-spans.ts; ahead of the
 * export, in slices, where sliced-encoding.ts did it), responses (partial
 * success) read by trace-response.ts. The OpenTelemetry serializer is only
 * the encoder's fallback, so it can be loaded when first needed.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { reporter as defaultReporter } from '../diag';
import type { RateLimitedReporter } from '../diag';
import { encodeTraceRequest } from './encode-spans';
import { decodeTraceResponse } from './trace-response';
import { encodedAheadOf } from './sliced-encoding';

/** The shape the OTLP export delegate takes (otlp-transformer's ISerializer for traces). */
export interface TraceSerializer<Response = unknown> {
  serializeRequest(spans: ReadableSpan[]): Uint8Array | undefined;
  deserializeResponse(data: Uint8Array): Response;
}

/**
 * `library`'s serializer with tracehop's encoder in front. Should the encoder
 * throw on a value it did not expect, that batch is encoded by `library`
 * instead (and what `library` does then, the exporter handles as it always
 * did), and the problem is reported through diag, rate-limited.
 */
export function tracehopTraceSerializer<Response>(
  library: TraceSerializer<Response>,
  reporter: Pick<RateLimitedReporter, 'warn'> = defaultReporter,
): TraceSerializer<Response> {
  return {
    serializeRequest(spans: ReadableSpan[]): Uint8Array | undefined {
      const ahead = encodedAheadOf(spans);
      if (ahead !== undefined) return ahead;
      try {
        return encodeTraceRequest(spans);
      } catch {
        reporter.warn('span-encoder', 'tracehop could not encode a batch of spans for OTLP/HTTP protobuf; the OpenTelemetry serializer encoded it instead');
        return library.serializeRequest(spans);
      }
    },
    // Malformed bytes throw, as the library's reader would: the export delegate then reports that it could not read the answer.
    deserializeResponse(data: Uint8Array): Response {
      return decodeTraceResponse(data) as Response;
    },
  };
}
