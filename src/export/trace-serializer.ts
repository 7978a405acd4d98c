/**
 * The serializer tracehop's OTLP/HTTP protobuf exporter is built with:
 * requests encoded by tracehop's own encoder (encode-spans.ts; ahead of the
 * export, in slices, where sliced-encoding.ts did it), responses (partial
 * success) read by trace-response.ts. The OpenTelemetry serializer is only
 * the encoder's fallback, so it can be loaded when first needed.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { reporter as defaultReporter } from '../diag';
import type { RateLimitedReporter } from '../diag';
import { encodeTraceRequest } from '../otlp/encode-spans';
import { decodeTraceResponse } from '../otlp/trace-response';
import { isEncodedSpan } from '../otlp/encoded-span';
import type { EncodedSpan, QueuedSpan } from '../otlp/encoded-span';
import { encodedAheadOf } from './sliced-encoding';

/**
 * The shape the OTLP export delegate takes (otlp-transformer's
 * ISerializer<Item[], Response>): the OpenTelemetry serializers take spans,
 * tracehop's takes spans and their encoded stand-ins alike.
 */
export interface TraceSerializer<Response = unknown, Item = QueuedSpan> {
  serializeRequest(spans: Item[]): Uint8Array | undefined;
  deserializeResponse(data: Uint8Array): Response;
}

/**
 * `library`'s serializer with tracehop's encoder in front. Should the encoder
 * throw on a value it did not expect, that batch is encoded by `library`
 * instead (and what `library` does then, the exporter handles as it always
 * did), and the problem is reported through diag, rate-limited.
 */
export function tracehopTraceSerializer<Response>(
  library: TraceSerializer<Response, ReadableSpan>,
  reporter: Pick<RateLimitedReporter, 'warn'> = defaultReporter,
): TraceSerializer<Response> {
  return {
    serializeRequest(spans: QueuedSpan[]): Uint8Array | undefined {
      const ahead = encodedAheadOf(spans);
      if (ahead !== undefined) return ahead;
      try {
        return encodeTraceRequest(spans);
      } catch {
        reporter.warn('span-encoder', 'tracehop could not encode a batch of spans for OTLP/HTTP protobuf; the OpenTelemetry serializer encoded it instead');
        return withLibrary(library, spans);
      }
    },
    // Malformed bytes throw, as the library's reader would: the export delegate then reports that it could not read the answer.
    deserializeResponse(data: Uint8Array): Response {
      return decodeTraceResponse(data) as Response;
    },
  };
}

/**
 * The batch with its spans encoded by `library`. Spans encoded as they ended
 * are already bytes, which only tracehop's encoder copies: they go into a
 * request of their own, and the two requests, concatenated, are one (a
 * request's only field is the repeated `resource_spans`).
 */
function withLibrary<Response>(library: TraceSerializer<Response, ReadableSpan>, spans: QueuedSpan[]): Uint8Array | undefined {
  const encoded: EncodedSpan[] = spans.filter(isEncodedSpan);
  const rest = library.serializeRequest(spans.filter(isSpan));
  if (encoded.length === 0) return rest;
  const ours = encodeTraceRequest(encoded);
  if (rest === undefined) return ours;
  const joined = new Uint8Array(ours.length + rest.length);
  joined.set(ours, 0);
  joined.set(rest, ours.length);
  return joined;
}

function isSpan(span: QueuedSpan): span is ReadableSpan {
  return !isEncodedSpan(span);
}
