/**
 * A finished span kept as its encoded OTLP `Span` message, from the moment
 * it ends until its batch is sent.
 *
 * The batch span processor holds every finished span until its batch is
 * full: at a few thousand requests a second, a tenth of a second or more.
 * Every young-generation collection in that time finds the queued spans
 * alive and copies them, which lengthens the pauses requests wait behind.
 * Encoded as it ends, a span's objects die young, and what waits in the
 * queue is a small stand-in holding its bytes, a few hundred per span, as
 * one string (docs/performance.md).
 *
 * The stand-in is not a span: tracehop's batch span processor
 * (src/export/batch-span-processor.ts) queues `QueuedSpan`s, spans or
 * stand-ins, and reads only their resource (to wait for its attributes);
 * the encoder reads the resource and scope objects to group it, and
 * encode-spans.ts copies its bytes into the request where it would have
 * encoded the span.
 */
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { ProtobufWriter } from './protobuf-writer';

export class EncodedSpan {
  constructor(
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
    /**
     * The Span message's body, one character per byte (latin1). A string
     * lives on the JavaScript heap and goes with the collections that free
     * the stand-in; byte arrays shared by many spans (tried) kept the
     * process's memory growing between full collections (docs/performance.md).
     */
    readonly bytes: string,
  ) {}
}

/** What an export pipeline queues and exports: a finished span, or its encoded stand-in. */
export type QueuedSpan = ReadableSpan | EncodedSpan;

export function isEncodedSpan(span: QueuedSpan): span is EncodedSpan {
  return span instanceof EncodedSpan;
}

/** Writes a span's Span message body (no key, no length): encode-spans.ts. */
export type SpanBodyWriter = (writer: ProtobufWriter, span: ReadableSpan) => void;

/** Encodes finished spans into stand-ins, through one writer of its own. */
export class SpanStandIns {
  private readonly writer = new ProtobufWriter();

  constructor(private readonly writeBody: SpanBodyWriter) {}

  /** The span's stand-in; throws if the span cannot be encoded (the caller keeps the span itself then). */
  encode(span: ReadableSpan): EncodedSpan {
    const writer = this.writer;
    writer.reset();
    this.writeBody(writer, span);
    return new EncodedSpan(span.resource, span.instrumentationScope, writer.buf.toString('latin1', 0, writer.pos));
  }
}
