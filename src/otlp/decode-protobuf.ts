/**
 * Decodes one message tree of the protobuf wire format: the OTLP
 * ExportTraceServiceRequest (opentelemetry-proto, collector/trace/v1), as
 * `tracehop view` receives it and as the tests inspect what exporters send.
 *
 * tracehop ships no protobuf runtime and no .proto files, so the fields it uses
 * are decoded by field number and everything else is skipped by wire type.
 * Field numbers were checked against opentelemetry/proto/{trace,common}/v1/*.proto.
 */
import { addAttribute } from './decode-attributes';
import type { ReceivedAttributes } from './decode-attributes';
import { bytesToHex, readFields, WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './wire-reader';

export { bytesToHex };
export type { ReceivedAttributeValue, ReceivedAttributes } from './decode-attributes';

export interface ReceivedLink {
  traceId: string;
  spanId: string;
  attributes: Record<string, unknown>;
}

export interface ReceivedEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: ReceivedAttributes;
}

/** One span as the receiver saw it, with ids as lowercase hex and the OTLP enum numbers kept. */
export interface ReceivedSpan {
  /** The resource's `service.name`, or '' when the resource has none. */
  service: string;
  /** 32 lowercase hex characters. */
  traceId: string;
  /** 16 lowercase hex characters. */
  spanId: string;
  /** undefined for a root span (OTLP sends an empty or absent parent_span_id). */
  parentSpanId: string | undefined;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: ReceivedAttributes;
  links: ReceivedLink[];
  events: ReceivedEvent[];
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
  /** W3C tracestate header value, '' when none. */
  traceState: string;
  /** OTLP span flags: W3C trace flags in the low byte, remote-parent bits above. */
  flags: number;
  /** Instrumentation scope name. */
  scope: string;
  scopeVersion: string;
}

/** The spans of one ResourceSpans entry, already flattened across its scopes. */
export interface ReceivedResourceSpans {
  service: string;
  resourceAttributes: ReceivedAttributes;
  spans: ReceivedSpan[];
}

function decodeResource(bytes: Uint8Array): ReceivedAttributes {
  const attributes: ReceivedAttributes = {};
  readFields(bytes, (field, wireType, r) => {
    if (field !== 1 || wireType !== WIRE_LEN) return false;
    addAttribute(attributes, r.bytes());
    return true;
  });
  return attributes;
}

function decodeScope(bytes: Uint8Array): { name: string; version: string } {
  const scope = { name: '', version: '' };
  readFields(bytes, (field, wireType, r) => {
    if (field === 1 && wireType === WIRE_LEN) scope.name = r.string();
    else if (field === 2 && wireType === WIRE_LEN) scope.version = r.string();
    else return false;
    return true;
  });
  return scope;
}

function decodeLink(bytes: Uint8Array): ReceivedLink {
  const link: ReceivedLink = { traceId: '', spanId: '', attributes: {} };
  const attributes: ReceivedAttributes = {};
  readFields(bytes, (field, wireType, r) => {
    if (field === 1 && wireType === WIRE_LEN) link.traceId = bytesToHex(r.bytes());
    else if (field === 2 && wireType === WIRE_LEN) link.spanId = bytesToHex(r.bytes());
    else if (field === 4 && wireType === WIRE_LEN) addAttribute(attributes, r.bytes());
    else return false;
    return true;
  });
  link.attributes = attributes;
  return link;
}

function decodeEvent(bytes: Uint8Array): ReceivedEvent {
  const event: ReceivedEvent = { name: '', timeUnixNano: 0n, attributes: {} };
  readFields(bytes, (field, wireType, r) => {
    if (field === 1 && wireType === WIRE_FIXED64) event.timeUnixNano = r.fixed64();
    else if (field === 2 && wireType === WIRE_LEN) event.name = r.string();
    else if (field === 3 && wireType === WIRE_LEN) addAttribute(event.attributes, r.bytes());
    else return false;
    return true;
  });
  return event;
}

function decodeStatus(bytes: Uint8Array): { code: number; message: string } {
  const status = { code: 0, message: '' };
  readFields(bytes, (field, wireType, r) => {
    if (field === 2 && wireType === WIRE_LEN) status.message = r.string();
    else if (field === 3 && wireType === WIRE_VARINT) status.code = Number(BigInt.asIntN(32, r.varint()));
    else return false;
    return true;
  });
  return status;
}

function decodeSpan(bytes: Uint8Array, service: string, scope: { name: string; version: string }): ReceivedSpan {
  const span: ReceivedSpan = {
    service,
    traceId: '',
    spanId: '',
    parentSpanId: undefined,
    name: '',
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: {},
    links: [],
    events: [],
    statusCode: 0,
    statusMessage: '',
    traceState: '',
    flags: 0,
    scope: scope.name,
    scopeVersion: scope.version,
  };
  readFields(bytes, (field, wireType, r) => {
    switch (field) {
      case 1:
        if (wireType !== WIRE_LEN) return false;
        span.traceId = bytesToHex(r.bytes());
        return true;
      case 2:
        if (wireType !== WIRE_LEN) return false;
        span.spanId = bytesToHex(r.bytes());
        return true;
      case 3:
        if (wireType !== WIRE_LEN) return false;
        span.traceState = r.string();
        return true;
      case 4: {
        if (wireType !== WIRE_LEN) return false;
        const parent = r.bytes();
        span.parentSpanId = parent.length > 0 ? bytesToHex(parent) : undefined;
        return true;
      }
      case 5:
        if (wireType !== WIRE_LEN) return false;
        span.name = r.string();
        return true;
      case 6:
        if (wireType !== WIRE_VARINT) return false;
        span.kind = Number(BigInt.asIntN(32, r.varint()));
        return true;
      case 7:
        if (wireType !== WIRE_FIXED64) return false;
        span.startTimeUnixNano = r.fixed64();
        return true;
      case 8:
        if (wireType !== WIRE_FIXED64) return false;
        span.endTimeUnixNano = r.fixed64();
        return true;
      case 9:
        if (wireType !== WIRE_LEN) return false;
        addAttribute(span.attributes, r.bytes());
        return true;
      case 11:
        if (wireType !== WIRE_LEN) return false;
        span.events.push(decodeEvent(r.bytes()));
        return true;
      case 13:
        if (wireType !== WIRE_LEN) return false;
        span.links.push(decodeLink(r.bytes()));
        return true;
      case 15: {
        if (wireType !== WIRE_LEN) return false;
        const status = decodeStatus(r.bytes());
        span.statusCode = status.code;
        span.statusMessage = status.message;
        return true;
      }
      case 16:
        if (wireType !== WIRE_FIXED32) return false;
        span.flags = r.fixed32();
        return true;
      default:
        return false;
    }
  });
  return span;
}

function decodeScopeSpans(bytes: Uint8Array, service: string): ReceivedSpan[] {
  let scope = { name: '', version: '' };
  const spanBytes: Uint8Array[] = [];
  // The scope may legally follow its spans on the wire, so spans are decoded once the whole message is read.
  readFields(bytes, (field, wireType, r) => {
    if (field === 1 && wireType === WIRE_LEN) scope = decodeScope(r.bytes());
    else if (field === 2 && wireType === WIRE_LEN) spanBytes.push(r.bytes());
    else return false;
    return true;
  });
  return spanBytes.map(b => decodeSpan(b, service, scope));
}

function decodeResourceSpans(bytes: Uint8Array): ReceivedResourceSpans {
  let resourceAttributes: ReceivedAttributes = {};
  const scopeSpansBytes: Uint8Array[] = [];
  readFields(bytes, (field, wireType, r) => {
    if (field === 1 && wireType === WIRE_LEN) resourceAttributes = decodeResource(r.bytes());
    else if (field === 2 && wireType === WIRE_LEN) scopeSpansBytes.push(r.bytes());
    else return false;
    return true;
  });
  const service = serviceNameOf(resourceAttributes);
  return {
    service,
    resourceAttributes,
    spans: scopeSpansBytes.flatMap(b => decodeScopeSpans(b, service)),
  };
}

export function serviceNameOf(resourceAttributes: ReceivedAttributes): string {
  const name = resourceAttributes['service.name'];
  return typeof name === 'string' ? name : '';
}

/** Decodes an OTLP/HTTP protobuf trace request body (ExportTraceServiceRequest); throws on malformed input. */
export function decodeExportTraceServiceRequest(bytes: Uint8Array): ReceivedResourceSpans[] {
  const result: ReceivedResourceSpans[] = [];
  readFields(bytes, (field, wireType, r) => {
    if (field !== 1 || wireType !== WIRE_LEN) return false;
    result.push(decodeResourceSpans(r.bytes()));
    return true;
  });
  return result;
}
