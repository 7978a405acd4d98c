/**
 * A finished span kept as its encoded OTLP `Span` message, from the moment
 * it ends until its batch is sent.
 *
 * The batch span processor holds every finished span until its batch is
 * full: at a few thousand requests a second, a tenth of a second or more.
 * Every young-generation collection in that time finds the queued spans
 * alive and copies them, which lengthens the pauses requests wait behind.
 * Encoded as it ends, a span's objects die young, and what waits in the
 * queue is a small stand-in over its bytes, a few hundred per span, packed
 * into shared arenas (docs/performance.md).
 *
 * The stand-in offers what the batch span processor reads of a span (its
 * trace flags and its resource) and what the encoder needs to group it (its
 * resource and scope objects); encode-spans.ts copies its bytes into the
 * request where it would have encoded the span.
 */
import { TraceFlags } from '@opentelemetry/api';
import type { SpanContext } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ProtobufWriter } from './protobuf-writer';

/** Bytes per arena: about 150 server spans. A span larger than a quarter of it gets an array of its own. */
export const ARENA_SIZE = 64 * 1024;

/** The processor admits only sampled spans; that flag is all it reads of the context. */
const SAMPLED_CONTEXT: SpanContext = Object.freeze({ traceId: '', spanId: '', traceFlags: TraceFlags.SAMPLED });

export class EncodedSpan {
  constructor(
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
    /** The arena holding the Span message's body. */
    readonly arena: Uint8Array,
    readonly offset: number,
    readonly length: number,
  ) {}

  spanContext(): SpanContext {
    return SAMPLED_CONTEXT;
  }
}

export function isEncodedSpan(span: unknown): span is EncodedSpan {
  return span instanceof EncodedSpan;
}

/** Writes a span's Span message body (no key, no length): encode-spans.ts. */
export type SpanBodyWriter = (writer: ProtobufWriter, span: ReadableSpan) => void;

/**
 * Encodes finished spans into arenas. One per exporter: arenas are filled in
 * the order spans end, and an arena is freed once every span in it has been
 * sent (nothing refers to it any more).
 */
export class SpanArenas {
  private readonly writer = new ProtobufWriter();
  private arena = new Uint8Array(ARENA_SIZE);
  private used = 0;

  constructor(private readonly writeBody: SpanBodyWriter) {}

  /** The span's stand-in; throws if the span cannot be encoded (the caller keeps the span itself then). */
  encode(span: ReadableSpan): EncodedSpan {
    const writer = this.writer;
    writer.reset();
    this.writeBody(writer, span);
    const length = writer.pos;
    let arena: Uint8Array;
    let offset: number;
    if (length > ARENA_SIZE / 4) {
      arena = new Uint8Array(writer.buf.subarray(0, length));
      offset = 0;
    } else {
      if (this.used + length > ARENA_SIZE) {
        this.arena = new Uint8Array(ARENA_SIZE);
        this.used = 0;
      }
      arena = this.arena;
      offset = this.used;
      arena.set(writer.buf.subarray(0, length), offset);
      this.used += length;
    }
    return new EncodedSpan(span.resource, span.instrumentationScope, arena, offset, length);
  }
}
