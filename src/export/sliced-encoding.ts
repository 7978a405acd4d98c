/**
 * Encoding a batch ahead of its export, a slice at a time.
 *
 * The exporter encodes a batch in one synchronous piece as it starts the
 * request, holding the event loop (and every request waiting on it) for the
 * whole batch. Instead, the batch is encoded here in slices of
 * ENCODE_SLICE_SPANS spans, one slice per turn of the event loop, by whoever
 * drives the steps (HoldingSpanExporter). Each slice is a complete
 * ExportTraceServiceRequest, and the request's only field is the repeated
 * `resource_spans`, so the slices' bytes, concatenated, are one valid request
 * holding all of the batch (a resource appears once per slice). The result is
 * kept against the batch's array, where tracehop's serializer finds it
 * (trace-serializer.ts); a batch never encoded ahead is encoded there whole.
 */
import { encodeTraceRequest } from '../otlp/encode-spans';
import type { QueuedSpan } from '../otlp/encoded-span';

/** Spans per slice: about a third of a millisecond of encoding on a small server. */
export const ENCODE_SLICE_SPANS = 128;

const encodedAhead = new WeakMap<readonly QueuedSpan[], Uint8Array>();

/** The bytes `spans` were encoded to ahead of the export, if they were. */
export function encodedAheadOf(spans: readonly QueuedSpan[]): Uint8Array | undefined {
  return encodedAhead.get(spans);
}

export interface EncodingSteps {
  /** Encodes the next slice; true once the batch is done (encoded, or left for the serializer after an error). */
  step(): boolean;
}

/** Steps that encode `spans` a slice at a time. */
export function encodeInSlices(spans: readonly QueuedSpan[], sliceSize: number = ENCODE_SLICE_SPANS): EncodingSteps {
  let parts: Uint8Array[] = [];
  let next = 0;
  let finished = false;
  return {
    step(): boolean {
      if (finished) return true;
      try {
        const end = Math.min(spans.length, next + sliceSize);
        parts.push(encodeTraceRequest(spans.slice(next, end)));
        next = end;
        if (next < spans.length) return false;
        encodedAhead.set(spans, concatenate(parts));
      } catch {
        // Left to the serializer, which encodes the batch whole and reports the problem.
      }
      parts = [];
      finished = true;
      return true;
    },
  };
}

function concatenate(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let length = 0;
  for (const part of parts) length += part.length;
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
