/**
 * ReadableSpan[] -> the bytes of an OTLP ExportTraceServiceRequest
 * (opentelemetry/proto/collector/trace/v1/trace_service.proto and
 * trace/v1/trace.proto), in one pass over the spans.
 *
 * The output is byte for byte what the OpenTelemetry JS protobuf serializer
 * writes for the same spans (test/unit/export/encode-spans.test.ts holds it
 * to that): spans grouped by resource object, then by instrumentation scope
 * object, each group in the order first seen; fields in field-number order;
 * the same fields left out when empty.
 *
 * What makes it cheaper: one scratch buffer reused across batches, lengths
 * reserved at their likely size instead of a sizing pass, each resource's
 * and scope's encoding kept per object, attribute keys kept encoded.
 */
import type { Attributes, HrTime, Link, SpanContext } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { EncodedSpan } from './encoded-span';
import { writeAttributes } from './encode-values';
import { writeHexId } from './hex-id';
import { writeHrTime } from './hr-time';
import { ProtobufWriter } from './protobuf-writer';

// Field keys, (field number << 3) | wire type: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
const REQUEST_RESOURCE_SPANS = 0x0a; //    ExportTraceServiceRequest.resource_spans = 1
const RESOURCE_SPANS_RESOURCE = 0x0a; //   ResourceSpans.resource = 1
const RESOURCE_SPANS_SCOPE_SPANS = 0x12; // ResourceSpans.scope_spans = 2
const RESOURCE_SPANS_SCHEMA_URL = 0x1a; // ResourceSpans.schema_url = 3
const RESOURCE_ATTRIBUTES = 0x0a; //       Resource.attributes = 1
const RESOURCE_DROPPED = 0x10; //          Resource.dropped_attributes_count = 2
const SCOPE_SPANS_SCOPE = 0x0a; //         ScopeSpans.scope = 1
const SCOPE_SPANS_SPANS = 0x12; //         ScopeSpans.spans = 2
const SCOPE_SPANS_SCHEMA_URL = 0x1a; //    ScopeSpans.schema_url = 3
const SCOPE_NAME = 0x0a; //                InstrumentationScope.name = 1
const SCOPE_VERSION = 0x12; //             InstrumentationScope.version = 2
const SCOPE_ATTRIBUTES = 0x1a; //          InstrumentationScope.attributes = 3
const SCOPE_DROPPED = 0x20; //             InstrumentationScope.dropped_attributes_count = 4
const SPAN_TRACE_ID = 0x0a; //             Span.trace_id = 1
const SPAN_SPAN_ID = 0x12; //              Span.span_id = 2
const SPAN_TRACE_STATE = 0x1a; //          Span.trace_state = 3
const SPAN_PARENT_SPAN_ID = 0x22; //       Span.parent_span_id = 4
const SPAN_NAME = 0x2a; //                 Span.name = 5
const SPAN_KIND = 0x30; //                 Span.kind = 6
const SPAN_START = 0x39; //                Span.start_time_unix_nano = 7
const SPAN_END = 0x41; //                  Span.end_time_unix_nano = 8
const SPAN_ATTRIBUTES = 0x4a; //           Span.attributes = 9
const SPAN_DROPPED_ATTRIBUTES = 0x50; //   Span.dropped_attributes_count = 10
const SPAN_EVENTS = 0x5a; //               Span.events = 11
const SPAN_DROPPED_EVENTS = 0x60; //       Span.dropped_events_count = 12
const SPAN_LINKS = 0x6a; //                Span.links = 13
const SPAN_DROPPED_LINKS = 0x70; //        Span.dropped_links_count = 14
const SPAN_STATUS = 0x7a; //               Span.status = 15
const SPAN_FLAGS_KEY = [0x85, 0x01]; //    Span.flags = 16, fixed32: a two-byte varint key
const EVENT_TIME = 0x09; //                Event.time_unix_nano = 1
const EVENT_NAME = 0x12; //                Event.name = 2
const EVENT_ATTRIBUTES = 0x1a; //          Event.attributes = 3
const EVENT_DROPPED = 0x20; //             Event.dropped_attributes_count = 4
const LINK_TRACE_ID = 0x0a; //             Link.trace_id = 1
const LINK_SPAN_ID = 0x12; //              Link.span_id = 2
const LINK_TRACE_STATE = 0x1a; //          Link.trace_state = 3
const LINK_ATTRIBUTES = 0x22; //           Link.attributes = 4
const LINK_DROPPED = 0x28; //              Link.dropped_attributes_count = 5
const LINK_FLAGS = 0x35; //                Link.flags = 6
const STATUS_MESSAGE = 0x12; //            Status.message = 2
const STATUS_CODE = 0x18; //               Status.code = 3

/** SpanFlags (trace.proto): the W3C trace flags in the low byte, then "has is_remote" and "is_remote". */
const FLAGS_HAS_IS_REMOTE = 0x100;
const FLAGS_IS_REMOTE = 0x200;

/**
 * Bytes reserved for a length before its body is written: a server span is
 * 128 bytes to 16 kB (two), a ScopeSpans or ResourceSpans of a batch up to
 * 2 MB (three). A wrong guess costs one move of the body, never a wrong byte.
 */
const SPAN_LENGTH_RESERVE = 2;
const GROUP_LENGTH_RESERVE = 3;

/** Made at the first batch, so a process that never exports protobuf never holds its buffer. */
let sharedWriter: ProtobufWriter | undefined;
let sharedWriterBusy = false;

/** Encoded Resource fields (key, length and body) per resource object whose attributes have settled. */
const resourceCache = new WeakMap<Resource, Uint8Array>();
/** Encoded ScopeSpans.scope fields per scope object. */
const scopeCache = new WeakMap<InstrumentationScope, Uint8Array>();

/** The ExportTraceServiceRequest for `spans`. */
export function encodeTraceRequest(spans: readonly ReadableSpan[]): Uint8Array {
  // One shared buffer; a nested call (none is expected: nothing here calls out) gets its own.
  const shared = !sharedWriterBusy;
  const writer = shared ? (sharedWriter ??= new ProtobufWriter()) : new ProtobufWriter();
  if (shared) sharedWriterBusy = true;
  try {
    writer.reset();
    for (const [resource, scopes] of groupSpans(spans)) {
      writer.tag1(REQUEST_RESOURCE_SPANS);
      const start = writer.beginLength(GROUP_LENGTH_RESERVE);
      writeResourceSpans(writer, resource, scopes);
      writer.endLength(start, GROUP_LENGTH_RESERVE);
    }
    return writer.finish();
  } finally {
    if (shared) sharedWriterBusy = false;
  }
}

/** Spans by resource object, then by scope object, in the order first seen. */
function groupSpans(spans: readonly ReadableSpan[]): Map<Resource, Map<InstrumentationScope, ReadableSpan[]>> {
  const byResource = new Map<Resource, Map<InstrumentationScope, ReadableSpan[]>>();
  for (const span of spans) {
    let byScope = byResource.get(span.resource);
    if (byScope === undefined) {
      byScope = new Map();
      byResource.set(span.resource, byScope);
    }
    const group = byScope.get(span.instrumentationScope);
    if (group === undefined) byScope.set(span.instrumentationScope, [span]);
    else group.push(span);
  }
  return byResource;
}

function writeResourceSpans(writer: ProtobufWriter, resource: Resource, scopes: Map<InstrumentationScope, ReadableSpan[]>): void {
  writeCached(writer, resourceCache, resource, writeResource, resource.asyncAttributesPending !== true);
  for (const spans of scopes.values()) {
    writer.tag1(RESOURCE_SPANS_SCOPE_SPANS);
    const start = writer.beginLength(GROUP_LENGTH_RESERVE);
    const scope = spans[0].instrumentationScope;
    writeCached(writer, scopeCache, scope, writeScope, true);
    for (const span of spans) {
      writer.tag1(SCOPE_SPANS_SPANS);
      if (span instanceof EncodedSpan) {
        // Encoded as it ended (encoded-span.ts): the same bytes, copied.
        writer.varint(span.length);
        writer.rawRange(span.arena, span.offset, span.length);
        continue;
      }
      const spanStart = writer.beginLength(SPAN_LENGTH_RESERVE);
      writeSpan(writer, span);
      writer.endLength(spanStart, SPAN_LENGTH_RESERVE);
    }
    if (scope.schemaUrl) {
      writer.tag1(SCOPE_SPANS_SCHEMA_URL);
      writer.string(scope.schemaUrl);
    }
    writer.endLength(start, GROUP_LENGTH_RESERVE);
  }
  if (resource.schemaUrl) {
    writer.tag1(RESOURCE_SPANS_SCHEMA_URL);
    writer.string(resource.schemaUrl);
  }
}

/** Copies the cached encoding of `value`, or writes it and, when `cacheable`, keeps a copy. */
function writeCached<T extends object>(writer: ProtobufWriter, cache: WeakMap<T, Uint8Array>, value: T, write: (writer: ProtobufWriter, value: T) => void, cacheable: boolean): void {
  const cached = cacheable ? cache.get(value) : undefined;
  if (cached !== undefined) {
    writer.raw(cached);
    return;
  }
  const start = writer.pos;
  write(writer, value);
  if (cacheable) cache.set(value, new Uint8Array(writer.buf.subarray(start, writer.pos)));
}

function writeResource(writer: ProtobufWriter, resource: Resource): void {
  writer.tag1(RESOURCE_SPANS_RESOURCE);
  const start = writer.beginLength(1);
  if (resource.attributes) writeAttributes(writer, resource.attributes, RESOURCE_ATTRIBUTES);
  // The SDK does not count attributes dropped from a resource: always 0.
  writer.tag1(RESOURCE_DROPPED);
  writer.tag1(0);
  writer.endLength(start, 1);
}

function writeScope(writer: ProtobufWriter, scope: InstrumentationScope): void {
  writer.tag1(SCOPE_SPANS_SCOPE);
  const start = writer.beginLength(1);
  writer.tag1(SCOPE_NAME);
  writer.string(scope.name);
  if (scope.version) {
    writer.tag1(SCOPE_VERSION);
    writer.string(scope.version);
  }
  // Not in this SDK's InstrumentationScope type, but a scope may carry them (OTLP has the fields), and they are sent.
  const extended = scope as InstrumentationScope & { attributes?: Attributes; droppedAttributesCount?: number };
  if (extended.attributes) writeAttributes(writer, extended.attributes, SCOPE_ATTRIBUTES);
  if (extended.droppedAttributesCount) {
    writer.tag1(SCOPE_DROPPED);
    writer.varint(extended.droppedAttributesCount);
  }
  writer.endLength(start, 1);
}

/** A Span message's body: what follows its key and length. */
export function writeSpan(writer: ProtobufWriter, span: ReadableSpan): void {
  const context = span.spanContext();
  writer.tag1(SPAN_TRACE_ID);
  writeHexId(writer, context.traceId);
  writer.tag1(SPAN_SPAN_ID);
  writeHexId(writer, context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    writer.tag1(SPAN_TRACE_STATE);
    writer.string(traceState);
  }
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    writer.tag1(SPAN_PARENT_SPAN_ID);
    writeHexId(writer, parent.spanId);
  }
  writer.tag1(SPAN_NAME);
  writer.string(span.name);
  // OTLP's SpanKind is the API's plus one: 0 is SPAN_KIND_UNSPECIFIED, left out.
  const kind = span.kind == null ? 0 : span.kind + 1;
  if (kind !== 0) {
    writer.tag1(SPAN_KIND);
    writer.varint(kind);
  }
  writer.tag1(SPAN_START);
  writeHrTime(writer, span.startTime);
  writer.tag1(SPAN_END);
  writeHrTime(writer, span.endTime);
  if (span.attributes) writeAttributes(writer, span.attributes, SPAN_ATTRIBUTES);
  writer.tag1(SPAN_DROPPED_ATTRIBUTES);
  writer.varint(span.droppedAttributesCount);
  for (const event of span.events) writeMessage(writer, SPAN_EVENTS, event, writeEvent);
  writer.tag1(SPAN_DROPPED_EVENTS);
  writer.varint(span.droppedEventsCount);
  for (const link of span.links) writeMessage(writer, SPAN_LINKS, link, writeLink);
  writer.tag1(SPAN_DROPPED_LINKS);
  writer.varint(span.droppedLinksCount);
  writer.tag1(SPAN_STATUS);
  const statusStart = writer.beginLength(1);
  if (span.status.message) {
    writer.tag1(STATUS_MESSAGE);
    writer.string(span.status.message);
  }
  writer.tag1(STATUS_CODE);
  writer.varint(span.status.code);
  writer.endLength(statusStart, 1);
  writer.tag1(SPAN_FLAGS_KEY[0]);
  writer.tag1(SPAN_FLAGS_KEY[1]);
  writer.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
}

function writeEvent(writer: ProtobufWriter, event: TimedEvent): void {
  writer.tag1(EVENT_TIME);
  writeHrTime(writer, event.time as HrTime);
  writer.tag1(EVENT_NAME);
  writer.string(event.name);
  if (event.attributes) writeAttributes(writer, event.attributes, EVENT_ATTRIBUTES);
  writer.tag1(EVENT_DROPPED);
  writer.varint(event.droppedAttributesCount || 0);
}

function writeLink(writer: ProtobufWriter, link: Link): void {
  const context: SpanContext = link.context;
  writer.tag1(LINK_TRACE_ID);
  writeHexId(writer, context.traceId);
  writer.tag1(LINK_SPAN_ID);
  writeHexId(writer, context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    writer.tag1(LINK_TRACE_STATE);
    writer.string(traceState);
  }
  if (link.attributes) writeAttributes(writer, link.attributes, LINK_ATTRIBUTES);
  writer.tag1(LINK_DROPPED);
  writer.varint(link.droppedAttributesCount || 0);
  writer.tag1(LINK_FLAGS);
  writer.fixed32(spanFlags(context.traceFlags, context.isRemote));
}

/** Never 0 (the "has is_remote" bit is always set), so the field is always written. */
function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | FLAGS_HAS_IS_REMOTE | (isRemote ? FLAGS_IS_REMOTE : 0);
}

/** One nested message under `tag`: a length reserved at one byte (an event or link is most often under 128 bytes), its body, the length fixed. */
function writeMessage<T>(writer: ProtobufWriter, tag: number, value: T, writeBody: (writer: ProtobufWriter, value: T) => void): void {
  writer.tag1(tag);
  const start = writer.beginLength(1);
  writeBody(writer, value);
  writer.endLength(start, 1);
}
