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
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { EncodedSpan } from './encoded-span';
import type { QueuedSpan } from './encoded-span';
import { writeAttributes } from './encode-values';
import { writeHexId } from './hex-id';
import { writeHrTime } from './hr-time';
import { ProtobufWriter } from './protobuf-writer';
import {
  REQUEST_RESOURCE_SPANS,
  RESOURCE_SPANS_RESOURCE,
  RESOURCE_SPANS_SCOPE_SPANS,
  RESOURCE_SPANS_SCHEMA_URL,
  RESOURCE_ATTRIBUTES,
  RESOURCE_DROPPED,
  SCOPE_SPANS_SCOPE,
  SCOPE_SPANS_SPANS,
  SCOPE_SPANS_SCHEMA_URL,
  SCOPE_NAME,
  SCOPE_VERSION,
  SCOPE_ATTRIBUTES,
  SCOPE_DROPPED,
  SPAN_TRACE_ID,
  SPAN_SPAN_ID,
  SPAN_TRACE_STATE,
  SPAN_PARENT_SPAN_ID,
  SPAN_NAME,
  SPAN_KIND,
  SPAN_START,
  SPAN_END,
  SPAN_ATTRIBUTES,
  SPAN_DROPPED_ATTRIBUTES,
  SPAN_EVENTS,
  SPAN_DROPPED_EVENTS,
  SPAN_LINKS,
  SPAN_DROPPED_LINKS,
  SPAN_STATUS,
  SPAN_FLAGS_KEY,
  EVENT_TIME,
  EVENT_NAME,
  EVENT_ATTRIBUTES,
  EVENT_DROPPED,
  LINK_TRACE_ID,
  LINK_SPAN_ID,
  LINK_TRACE_STATE,
  LINK_ATTRIBUTES,
  LINK_DROPPED,
  LINK_FLAGS,
  STATUS_MESSAGE,
  STATUS_CODE,
  FLAGS_HAS_IS_REMOTE,
  FLAGS_IS_REMOTE,
} from './trace-fields';

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

/** The ExportTraceServiceRequest for `spans` (stand-ins encoded as they ended are copied as they are). */
export function encodeTraceRequest(spans: readonly QueuedSpan[]): Uint8Array {
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
function groupSpans(spans: readonly QueuedSpan[]): Map<Resource, Map<InstrumentationScope, QueuedSpan[]>> {
  const byResource = new Map<Resource, Map<InstrumentationScope, QueuedSpan[]>>();
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

function writeResourceSpans(writer: ProtobufWriter, resource: Resource, scopes: Map<InstrumentationScope, QueuedSpan[]>): void {
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
        writer.varint(span.bytes.length);
        writer.latin1(span.bytes);
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
function writeCached<T extends object>(
  writer: ProtobufWriter,
  cache: WeakMap<T, Uint8Array>,
  value: T,
  write: (writer: ProtobufWriter, value: T) => void,
  cacheable: boolean,
): void {
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
